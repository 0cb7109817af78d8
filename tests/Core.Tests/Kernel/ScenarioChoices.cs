namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// The small pools random layers and operations draw from. Few names make layers collide often
/// (a file over a directory, a whiteout over something real); owners, modes and times include the
/// awkward values (setuid, sticky, 0 ns, before 1970).
/// </summary>
internal static class ScenarioChoices
{
    public static readonly string[] Names = ["a", "b", "c", "d", "e", "f"];

    public static readonly long[] Ids = [0, 0, 0, 1, 1000, 4242, 65534];

    public static readonly int[] FileModes = Octal("644 644 755 600 444 4755 2755 6755 1644 700 0");

    public static readonly int[] DirectoryModes = Octal("755 755 700 1777 2775 555");

    public static readonly int[] NodeModes = Octal("644 600 666");

    public static readonly int[] FileSizes = [0, 0, 1, 13, 512, 1000, 4096, 4097, 20000, 65536];

    public static readonly string[] SymlinkTargets =
        ["a", "../b", "/etc/passwd", "c/d/e", "nowhere", ".", new string('t', 150)];

    /// <summary>(major, minor) of device nodes: never 0/0, which overlayfs reads as a whiteout.</summary>
    public static readonly (uint Major, uint Minor)[] Devices = [(1, 3), (1, 5), (4, 64), (8, 0), (7, 1), (259, 300000), (4095, 1)];

    public static readonly string[] Capabilities = ["cap_net_raw+ep", "cap_chown,cap_dac_override+eip", "cap_sys_admin+p"];

    /// <summary>Modes written the way chmod takes them.</summary>
    public static int[] Octal(string modes) => modes.Split(' ').Select(m => Convert.ToInt32(m, 8)).ToArray();

    public static T Pick<T>(this Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    /// <summary>An mtime as a tar extraction leaves it: whole seconds, 0 ns, between 2000 and 2025.</summary>
    public static long TarSeconds(this Random rng) => rng.NextInt64(946_684_800, 1_735_689_600);

    /// <summary>Random bytes of a size from <see cref="FileSizes"/> (occasionally a larger one).</summary>
    public static byte[] Content(this Random rng)
    {
        var size = rng.Next(20) == 0 ? rng.Next(65537, 200_000) : rng.Pick(FileSizes);
        var data = new byte[size];
        rng.NextBytes(data);
        return data;
    }
}
