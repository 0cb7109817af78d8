using System.Diagnostics;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.FileSystem;

/// <summary>The lock files of one export (the layout's writer lock, the journal): brief holders waited out, real ones refused.</summary>
public sealed class ExclusiveFileTests
{
    [Fact]
    public async Task A_lock_let_go_within_the_grace_period_should_be_taken()
    {
        using var scratch = ScratchDirectory.Create("pd-exclusive-");
        var path = Path.Combine(scratch.Path, "writer.lock");

        // What a child forked between our close and our open looks like: the lock held by another
        // open file for a few milliseconds more.
        var brief = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var letGo = Task.Delay(200).ContinueWith(_ => brief.Dispose(), TaskScheduler.Default);

        var clock = Stopwatch.StartNew();
        using (var taken = ExclusiveFile.Open(path))
        {
            clock.Stop();
            Assert.True(taken.CanWrite);
        }

        await letGo;
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(150), $"taken after {clock.Elapsed}, while the other file still held the lock");
    }

    [Fact]
    public void A_lock_held_by_another_process_should_be_refused_after_the_grace_period()
    {
        using var scratch = ScratchDirectory.Create("pd-exclusive-");
        var path = Path.Combine(scratch.Path, "writer.lock");
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", path, "sleep", "5"]) { UseShellExecute = false })!;
        try
        {
            LockFiles.WaitUntilHeldElsewhere(path);

            var clock = Stopwatch.StartNew();
            var e = Assert.Throws<IOException>(() => ExclusiveFile.Open(path));
            clock.Stop();

            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.True(clock.Elapsed >= ExclusiveFile.Grace, $"refused after {clock.Elapsed}, before the grace period ended");
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            holder.WaitForExit();
        }
    }
}
