using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>Strace.WholeCalls joins a call strace -f split around another thread's call.</summary>
public sealed class StraceTests
{
    [Fact]
    public void A_call_split_by_another_thread_should_be_one_line_where_it_ended()
    {
        string[] trace =
        [
            "101  pwrite64(7</l/blobs/sha256/.staging-1>, \"abc\"..., 276, 0 <unfinished ...>",
            "102  fsync(9</l/index.json>) = 0",
            "101  <... pwrite64 resumed>) = 276",
            "103  unlink(\"/l/x\" <unfinished ...>",
        ];

        Assert.Equal(
            [
                "102  fsync(9</l/index.json>) = 0",
                "101  pwrite64(7</l/blobs/sha256/.staging-1>, \"abc\"..., 276, 0) = 276",
                "103  unlink(\"/l/x\" <unfinished ...>",
            ],
            Strace.WholeCalls(trace));
    }
}
