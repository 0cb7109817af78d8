using System.Runtime.InteropServices;
using ParallelDiff.Core.Fs;
using Xunit;

namespace ParallelDiff.Core.Tests.FileSystem;

/// <summary>Our errno numbers and messages against the C library's own (strerror).</summary>
public sealed class ErrnoTests
{
    /// <summary>Errors our messages word in their own way, with the C library's text for them.</summary>
    private static readonly Dictionary<int, string> Reworded = new()
    {
        [Errno.ELOOP] = "Too many levels of symbolic links", // we only meet it refusing to follow one
        [Errno.ENODATA] = "No data available", // from getxattr: no such attribute
        [Errno.EXDEV] = "Invalid cross-device link",
    };

    public static TheoryData<int> Named() =>
        new(typeof(Errno).GetFields().Where(f => f.IsLiteral).Select(f => (int)f.GetRawConstantValue()!));

    [Theory]
    [MemberData(nameof(Named))]
    public void Each_described_errno_should_say_what_the_C_library_says(int errno)
    {
        var ours = Errno.Describe(errno);
        if (ours == $"errno {errno}")
        {
            return; // named for comparisons only
        }

        var libc = Marshal.GetPInvokeErrorMessage(errno);
        var ourWords = ours[..ours.IndexOf(" (", StringComparison.Ordinal)];
        if (Reworded.TryGetValue(errno, out var libcWords))
        {
            // Said the way it reads in our messages; still the C library's error.
            Assert.Equal(libcWords, libc);
        }
        else
        {
            Assert.Equal(libc, ourWords, ignoreCase: true);
        }
    }

    [Fact]
    public void Names_should_match_the_numbers()
    {
        foreach (var f in typeof(Errno).GetFields().Where(f => f.IsLiteral))
        {
            var number = (int)f.GetRawConstantValue()!;
            var described = Errno.Describe(number);
            if (described != $"errno {number}")
            {
                Assert.EndsWith($"({f.Name})", described, StringComparison.Ordinal);
            }
        }
    }
}
