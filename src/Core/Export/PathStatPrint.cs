using System.Buffers;
using System.Buffers.Binary;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Export;

/// <summary>
/// The stat print of one path, as <see cref="ConsultedLowers"/> records it: a present entry's
/// <see cref="EntryStatFields">stat fields and xattr names</see>, or "absent" with the errno its lstat
/// failed with (ENOENT, ENOTDIR, EACCES). An absent path is part of what a layer depends on: the
/// differ decides "new, not modified" or "no whiteout needed" by not finding a name below.
/// </summary>
internal static class PathStatPrint
{
    private const byte Absent = 0;
    private const byte Present = 1;

    /// <summary>lstat and llistxattr of <paramref name="path"/> now.</summary>
    public static byte[] Take(IFileSystem fs, ReadOnlySpan<byte> path)
    {
        if (!fs.TryLstat(path, out var status, out var errno))
        {
            return OfAbsent(errno);
        }

        IReadOnlyList<string> names;
        try
        {
            names = fs.ListXattrs(path);
        }
        catch (FsException e)
        {
            // Gone between the two calls: absent as of the second, which is after the lstat that
            // saw it, so any call that follows sees what this print says.
            return OfAbsent(e.ErrorNumber == 0 ? Errno.ENOENT : e.ErrorNumber);
        }

        return Of(status, names);
    }

    /// <summary>The print of a status already read (a listing's), with its xattr names.</summary>
    public static byte[] Of(in FileStatus status, IReadOnlyList<string> xattrNames)
    {
        var output = new ArrayBufferWriter<byte>(1 + EntryStatFields.Size + 16);
        output.GetSpan(1)[0] = Present;
        output.Advance(1);
        EntryStatFields.Write(output.GetSpan(EntryStatFields.Size), status);
        output.Advance(EntryStatFields.Size);
        EntryStatFields.WriteXattrNames(output, xattrNames);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] OfAbsent(int errno)
    {
        var print = new byte[5];
        print[0] = Absent;
        BinaryPrimitives.WriteInt32LittleEndian(print.AsSpan(1), errno);
        return print;
    }
}
