namespace ParallelDiff.Cli.Progress;

/// <summary>--progress and --quiet of the commands that write a few layers (diff, image).</summary>
public static class LayerProgressArguments
{
    public static readonly string[] ValueOptions = ["--progress"];

    public static readonly string[] FlagOptions = ["--quiet"];

    private static readonly string[] Modes = ["auto", "json"];

    /// <summary>--progress's words, as <see cref="View"/> accepts them.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Choices = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["--progress"] = Modes,
    };

    public const string Help = $$"""
        progress (stderr)
          --progress auto      on a terminal, one live line per running layer (bytes read of its file
                               data, rate, bytes written, ETA), gone when the layer is written; nothing
                               when stderr is not a terminal (the default)
          --progress json      one JSON object per line and event, as 'paralleldiff export' writes them:
                               begin, start, warning, progress, done, failed, end. {{ProgressHelp.JsonEvent}}
          --quiet              no progress
        """;

    /// <summary>The view the options ask for, or null for none (then no layer's bytes are even counted).</summary>
    public static IExportProgress? View(CommandLine cl, Settings settings)
    {
        ArgumentNullException.ThrowIfNull(cl);
        ArgumentNullException.ThrowIfNull(settings);
        var mode = cl.Choice("--progress", "auto", Modes);
        if (cl.Has("--quiet"))
        {
            return cl.Value("--progress") is null ? null : throw new UsageException("--quiet and --progress say different things: give one");
        }

        return mode == "json" ? new JsonProgress(Console.Error, settings.ProgressInterval)
            : Terminal.IsStandardError() ? new LiveLayerLines(Console.Error, settings.ProgressInterval)
            : null;
    }
}
