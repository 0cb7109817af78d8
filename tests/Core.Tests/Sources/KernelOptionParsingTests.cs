using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Sources;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Sources;

/// <summary>
/// The running kernel as the oracle: for each data string, the parser must accept exactly what
/// mount(2) accepts, and for an accepted mount the kernel's own account in /proc/self/mountinfo,
/// read back through <see cref="MountInfo"/>, must give the same layers and settings.
/// </summary>
public sealed class KernelOptionParsingTests
{
    private const string Rw = ",upperdir={T}/u,workdir={T}/w";

    public static TheoryData<string> Cases =>
    [
        "lowerdir={T}/l1:{T}/l2",
        "lowerdir={T}/l1" + Rw,
        @"lowerdir={T}/co\:lon:{T}/sp ace" + Rw,
        @"lowerdir={T}/b\\sl:{T}/c\,om" + @",upperdir={T}/u\\x,workdir={T}/w",
        @"lowerdir+={T}/co:lon,lowerdir+={T}/b\sl,datadir+={T}/l2" + Rw,
        "lowerdir={T}/l1::{T}/l2" + Rw,
        "lowerdir={T}/l1::{T}/l2" + Rw + ",metacopy=on",
        "lowerdir={T}/l1::{T}/l2::{T}/l3",
        "lowerdir={T}/l1:{T}/l2,lowerdir+={T}/l3",
        "lowerdir+={T}/l1,datadir+={T}/l2,lowerdir+={T}/l3",
        "lowerdir+={T}/l1,lowerdir+={T}/l2,lowerdir={T}/l3" + Rw,
        "lowerdir={T}/l1,lowerdir=,lowerdir+={T}/l2,lowerdir+={T}/l3",
        "lowerdir=:{T}/l1" + Rw,
        "lowerdir={T}/l1:" + Rw,
        "lowerdir={T}/l1:::{T}/l2" + Rw,
        "lowerdir={T}/l1::{T}/l2:{T}/l3" + Rw + ",metacopy=on",
        @"lowerdir={T}/l1:{T}/l2\",
        "lowerdir={T}/l1" + Rw + ",userxattr",
        "lowerdir={T}/l1" + Rw + ",userxattr,redirect_dir=nofollow,metacopy=off",
        "lowerdir={T}/l1" + Rw + ",userxattr,redirect_dir=on",
        "lowerdir={T}/l1" + Rw + ",userxattr,redirect_dir=off",
        "lowerdir={T}/l1:{T}/l2,userxattr,redirect_dir=off",
        "lowerdir={T}/l1" + Rw + ",userxattr,metacopy=on",
        "lowerdir={T}/l1" + Rw + ",metacopy=on",
        "lowerdir={T}/l1" + Rw + ",metacopy=on,redirect_dir=nofollow",
        "lowerdir={T}/l1" + Rw + ",redirect_dir=follow,metacopy=on",
        "lowerdir={T}/l1" + Rw + ",redirect_dir=on,redirect_dir=nofollow",
        "lowerdir={T}/l1" + Rw + ",nfs_export=on",
        "lowerdir={T}/l1" + Rw + ",nfs_export=on,index=off",
        "lowerdir={T}/l1" + Rw + ",nfs_export=on,metacopy=on",
        "lowerdir={T}/l1" + Rw + ",index=on,index=off",
        "lowerdir={T}/l1" + Rw + ",index=on",
        "lowerdir={T}/l1" + Rw + ",volatile",
        "lowerdir={T}/l1" + Rw + ",volatile,fsync=auto",
        "lowerdir={T}/l1" + Rw + ",xino=auto,uuid=null,fsync=strict,verity=on,override_creds,default_permissions",
        "lowerdir={T}/l1" + Rw + ",,,=x,ro,rw,sync",
        "lowerdir={T}/l1" + Rw + ",nodev",
        "lowerdir={T}/l1" + Rw + ",index=true",
        "lowerdir={T}/l1" + Rw + ",userxattr=1",
        "lowerdir={T}/l1" + Rw + ",uidmap=0:1000:1",
        "upperdir={T}/u,workdir={T}/w",
        "lowerdir={T}/l1,upperdir={T}/u",
        "lowerdir={T}/l1",
        "lowerdir={T}/l1" + Rw + ",lowerdir+=",
    ];

    [RootTheory]
    [MemberData(nameof(Cases))]
    public void The_parser_should_accept_what_the_kernel_accepts_and_read_it_back_the_same(string template)
    {
        using var scratch = ScratchDirectory.Create("pd-ovlopt-");
        foreach (var dir in new[] { "l1", "l2", "l3", "u", "w", "sp ace", "co:lon", @"b\sl", "c,om", @"u\x", "mnt" })
        {
            Directory.CreateDirectory(Path.Combine(scratch.Path, dir));
        }

        var data = template.Replace("{T}", scratch.Path, StringComparison.Ordinal);
        var mountPoint = Path.Combine(scratch.Path, "mnt");
        var defaults = OverlayModuleDefaults.FromSysfs();

        OverlayMountOptions? parsed = null;
        SnapshotException? refused = null;
        try
        {
            parsed = OverlayMountOptions.Parse(data, defaults);
        }
        catch (SnapshotException e)
        {
            refused = e;
        }

        var errno = KernelMount.TryMountOverlay(mountPoint, data);
        if (errno != 0)
        {
            Assert.True(refused is not null, $"the kernel refused \"{data}\" (errno {errno}) but the parser accepted it");
            return;
        }

        try
        {
            Assert.True(parsed is not null, $"the kernel mounted \"{data}\" but the parser refused it: {refused?.Message}");
            var entry = MountInfo.Find(MountInfo.ParseTable(File.ReadAllText(MountInfo.ProcSelfPath), MountInfo.ProcSelfPath), mountPoint, "mountinfo");
            var shown = MountInfo.ReadOverlay(entry, "mountinfo", defaults);

            Assert.Equal(parsed.Lowers, shown.Lowers);
            Assert.Equal(parsed.UpperDir, shown.UpperDir);
            Assert.Equal(parsed.RedirectMode, shown.RedirectMode);
            Assert.Equal(parsed.Metacopy, shown.Metacopy);
            Assert.Equal(parsed.Index, shown.Index);
            Assert.Equal(parsed.NfsExport, shown.NfsExport);
            Assert.Equal(parsed.UserXattr, shown.UserXattr);
            Assert.Equal(parsed.Volatile, shown.Volatile);
        }
        finally
        {
            KernelMount.Unmount(mountPoint);
        }
    }

    [RootFact]
    public void A_live_mount_with_a_space_and_a_colon_in_its_paths_should_load_from_proc_self_mountinfo()
    {
        using var scratch = ScratchDirectory.Create("pd-ovlmi-");
        string[] dirs = ["lower one", "lower:two", "up per", "work", "merged at"];
        foreach (var dir in dirs)
        {
            Directory.CreateDirectory(Path.Combine(scratch.Path, dir));
        }

        string At(string name) => Path.Combine(scratch.Path, name);
        var data = $@"lowerdir={At("lower one")}:{At("lower:two").Replace(":", @"\:", StringComparison.Ordinal)},upperdir={At("up per")},workdir={At("work")},index=off";
        Assert.Equal(0, KernelMount.TryMountOverlay(At("merged at"), data));
        try
        {
            var snapshot = MountInfo.Load(At("merged at") + "/");

            Assert.Equal(At("up per"), snapshot.Upper);
            Assert.Equal([new OverlayLayer(At("lower one")), new OverlayLayer(At("lower:two"))], snapshot.Lowers);
        }
        finally
        {
            KernelMount.Unmount(At("merged at"));
        }
    }
}
