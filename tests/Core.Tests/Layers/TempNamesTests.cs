using ParallelDiff.Core.Fs;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers;

public sealed class TempNamesTests
{
    [Fact]
    public void Suffix_should_be_twelve_lowercase_hex_digits()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.Matches("^[0-9a-f]{12}$", TempNames.Suffix());
        }
    }

    [Fact]
    public void Suffixes_drawn_at_once_on_many_threads_should_not_repeat()
    {
        // 48 random bits: 80,000 draws collide with probability ~1e-5; a repeat means a broken generator.
        var all = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                all.Add(TempNames.Suffix());
            }
        });

        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void Beside_should_name_a_hidden_temporary_in_the_targets_directory()
    {
        var temp = TempNames.Beside("/layout/blobs/sha256/abc");

        Assert.Equal("/layout/blobs/sha256", Path.GetDirectoryName(temp));
        Assert.Matches(@"^\.abc\.tmp-[0-9a-f]{12}$", Path.GetFileName(temp));
    }
}
