using System.Globalization;

namespace ParallelDiff.Cli.Progress;

/// <summary>One running layer as a view sees it at one moment: its bytes so far, what it knows of its total, and how long it has run.</summary>
public sealed record LayerSample(string Id, long BytesIn, long BytesOut, long TotalIn, bool TotalKnown, TimeSpan Elapsed)
{
    /// <summary>Blob bytes a registry has taken (--push); 0 when nothing is pushed.</summary>
    public long BytesPushed { get; init; }

    /// <summary>File data read per second since the layer started.</summary>
    public double BytesInPerSecond => Elapsed.TotalSeconds > 0 ? BytesIn / Elapsed.TotalSeconds : 0;

    /// <summary>How much of the file data is read (0..1), or null while no total is known.</summary>
    public double? Fraction => TotalIn > 0 ? Math.Min(1.0, (double)BytesIn / TotalIn) : null;

    /// <summary>Time left at the rate so far, once the whole total is known and something has been read.</summary>
    public TimeSpan? Eta => TotalKnown && BytesInPerSecond > 0
        ? TimeSpan.FromSeconds(Math.Max(0, TotalIn - BytesIn) / BytesInPerSecond)
        : null;

    /// <summary>"web  123.4 MB / 2.1 GB  56.7 MB/s  ETA 0:31" (no ETA while the walk still finds files: the total is then "≥ N").</summary>
    public string Describe()
    {
        var total = TotalIn > 0 ? (TotalKnown ? " / " : " / ≥ ") + PlainProgress.Size(TotalIn) : string.Empty;
        var eta = Eta is { } left ? $"  ETA {Clock(left)}" : string.Empty;
        var pushed = BytesPushed > 0 ? $"  pushed {PlainProgress.Size(BytesPushed)}" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{Id}  {PlainProgress.Size(BytesIn)}{total}  {BytesInPerSecond / 1e6:0.0} MB/s  out {PlainProgress.Size(BytesOut)}{pushed}{eta}");
    }

    /// <summary>m:ss, or h:mm:ss from an hour on.</summary>
    public static string Clock(TimeSpan t) => t.TotalHours >= 1
        ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
