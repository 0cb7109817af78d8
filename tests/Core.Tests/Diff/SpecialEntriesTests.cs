using System.Text;
using ParallelDiff.Core.Apply;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Native;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using ParallelDiff.Core.Tests.Tar;
using Xunit;

namespace ParallelDiff.Core.Tests.Diff;

/// <summary>
/// Entries at the edges of the tar format, written by our differ and read back by Python's
/// tarfile (an independent reader): non-UTF-8 names, names over 100 and 255 bytes, uid 3000000,
/// devices, fifos, sockets (never written), capabilities v2 and v3.
/// </summary>
public sealed unsafe class SpecialEntriesTests
{
    private static readonly byte[] Latin1Name = [(byte)'c', (byte)'a', (byte)'f', 0xE9];
    private static readonly string LongName = new('n', 200);
    private static readonly string LongPath = string.Join('/', new string('a', 100), new string('b', 100), new string('c', 100));

    /// <summary>A v3 file capability (24 bytes) with rootid 100000: cap_net_raw permitted and effective.</summary>
    private static readonly byte[] CapabilityV3 = [0x01, 0x00, 0x00, 0x03, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xA0, 0x86, 0x01, 0x00];

    [RootFact]
    public void Edge_entries_should_reach_the_tar_exactly_and_round_trip()
    {
        using var scratch = ScratchDirectory.Create("pd-special-");
        var upper = Path.Combine(scratch.Path, "upper");
        Directory.CreateDirectory(upper);
        var upperBytes = Encoding.UTF8.GetBytes(upper);
        CreateFile([.. upperBytes, (byte)'/', .. Latin1Name], "latin-1 name");
        File.WriteAllText(Path.Combine(upper, LongName), "long");
        Directory.CreateDirectory(Path.Combine(upper, Path.GetDirectoryName(LongPath)!));
        File.WriteAllText(Path.Combine(upper, LongPath), "deep");
        File.WriteAllText(Path.Combine(upper, "big-uid"), "owner");
        Check(Chown(Path.Combine(upper, "big-uid"), 3_000_000, 3_000_001), "chown");
        Check(Mknod(Path.Combine(upper, "null"), 0x2000 | 0x1B6, 1, 3), "mknod char");
        Check(Mknod(Path.Combine(upper, "loop"), 0x6000 | 0x1B0, 7, 0), "mknod block");
        Check(Mknod(Path.Combine(upper, "fifo"), 0x1000 | 0x1A4, 0, 0), "mkfifo");
        Check(Mknod(Path.Combine(upper, "sock"), 0xC000 | 0x1ED, 0, 0), "mknod socket");
        File.WriteAllText(Path.Combine(upper, "ping"), "ping");
        var setcap = ExternalCommand.Run("setcap", "cap_net_raw+ep", Path.Combine(upper, "ping"));
        Assert.True(setcap.Succeeded, ExternalCommand.Describe("setcap", ["cap_net_raw+ep"], setcap));
        File.WriteAllText(Path.Combine(upper, "ping3"), "ping3");
        SetXattr(Path.Combine(upper, "ping3"), "security.capability", CapabilityV3);

        var tarPath = Path.Combine(scratch.Path, "layer.tar");
        File.WriteAllBytes(tarPath, LayerTar.ToBytes(Snapshot.OfOverlay(upper, []), LayerOptions.Default));

        using var python = PythonTarfile.Start();
        var members = python.Read(tarPath).ToDictionary(m => m.NameHex);
        Assert.Contains(Convert.ToHexStringLower(Latin1Name), members.Keys);
        Assert.Contains(Hex(LongName), members.Keys);
        Assert.Contains(Hex(LongPath), members.Keys);
        var owner = members[Hex("big-uid")];
        Assert.Equal((3_000_000, 3_000_001), (owner.Uid, owner.Gid));
        Assert.Equal(('3', 1L, 3L), (members[Hex("null")].Type, members[Hex("null")].DevMajor, members[Hex("null")].DevMinor));
        Assert.Equal(('4', 7L, 0L), (members[Hex("loop")].Type, members[Hex("loop")].DevMajor, members[Hex("loop")].DevMinor));
        Assert.Equal('6', members[Hex("fifo")].Type);
        Assert.DoesNotContain(Hex("sock"), members.Keys);
        var v2 = Convert.FromHexString(members[Hex("ping")].XattrsHex["security.capability"]);
        Assert.Equal(20, v2.Length);
        Assert.Equal(Convert.ToHexStringLower(CapabilityV3), members[Hex("ping3")].XattrsHex["security.capability"]);

        // And back: applied onto an empty tree, everything but the socket comes out as it went in.
        var dest = Path.Combine(scratch.Path, "dest");
        Directory.CreateDirectory(dest);
        using (var tar = File.OpenRead(tarPath))
        {
            LayerApplier.Apply(tar, dest, ApplyOptions.Default);
        }

        var differences = TreeComparison.Compare(TreeSnapshot.Capture(upper), TreeSnapshot.Capture(dest), TreeComparisonOptions.LayerExpressible);
        Assert.True(differences.Count == 0, TreeComparison.Format(differences));
    }

    private static string Hex(string name) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(name));

    private static void CreateFile(byte[] path, string content)
    {
        using var c = new CPath(path);
        var fd = LibC.OpenAt(LibC.AT_FDCWD, c.Pointer, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0x1A4);
        Check(fd < 0 ? -1 : 0, "create");
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        RandomAccess.Write(handle, Encoding.UTF8.GetBytes(content), 0);
    }

    private static int Chown(string path, uint uid, uint gid)
    {
        using var c = new CPath(Encoding.UTF8.GetBytes(path));
        return LibC.FchownAt(LibC.AT_FDCWD, c.Pointer, uid, gid, LibC.AT_SYMLINK_NOFOLLOW);
    }

    private static int Mknod(string path, uint mode, uint major, uint minor)
    {
        using var c = new CPath(Encoding.UTF8.GetBytes(path));
        return LibC.MknodAt(LibC.AT_FDCWD, c.Pointer, mode, LibC.MakeDev(major, minor));
    }

    private static void SetXattr(string path, string name, byte[] value)
    {
        using var c = new CPath(Encoding.UTF8.GetBytes(path));
        using var n = new CPath(Encoding.ASCII.GetBytes(name));
        fixed (byte* v = value)
        {
            Check(LibC.LSetXattr(c.Pointer, n.Pointer, v, (nuint)value.Length, 0), "setxattr " + name);
        }
    }

    private static void Check(int rc, string what) =>
        Assert.True(rc == 0, $"{what}: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
}
