using ParallelDiff.Core.Fs;
using ParallelDiff.Streams.Tests.Support;
using Xunit;

namespace ParallelDiff.Streams.Tests;

public sealed class FileDataReaderTests
{
    [Fact]
    public void A_file_aborted_by_another_files_failure_should_report_that_failure_in_its_other_blocks()
    {
        // A file laid out across two blocks: the first block's fill failed on another file and
        // aborted this one; the second block, filling in parallel, reads this file next.
        using var file = new SingleFile(10_000);
        var reader = new FileDataReader(file.Entry(), extents: 2);
        var cause = new FsException("/upper/victim: open failed: no such file or directory");
        reader.Abort(cause);

        using var lastDirectory = new LastDirectory();
        var error = Assert.Throws<FsException>(() => reader.ReadInto(new byte[8192], new FileExtent(reader, 5_000, 0, 5_000), lastDirectory));
        Assert.Contains("/upper/victim", error.Message);
    }

    [Fact]
    public void A_file_whose_read_failed_should_keep_its_own_cause_when_aborted_later()
    {
        using var file = new SingleFile(10_000);
        var reader = new FileDataReader(file.Entry(announcedSize: 20_000), extents: 2);
        using var lastDirectory = new LastDirectory();
        Assert.Throws<FsException>(() => reader.ReadInto(new byte[16_384], new FileExtent(reader, 10_000, 0, 10_000), lastDirectory));

        reader.Abort(new FsException("/upper/other: open failed"));

        var error = Assert.Throws<FsException>(() => reader.ReadInto(new byte[16_384], new FileExtent(reader, 0, 0, 10_000), lastDirectory));
        Assert.Contains("shrank", error.Message);
    }
}
