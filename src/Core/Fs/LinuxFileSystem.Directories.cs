using System.Runtime.InteropServices;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

public sealed unsafe partial class LinuxFileSystem
{
    public List<byte[]> ReadDirectory(ReadOnlySpan<byte> path)
    {
        int fd;
        using (var c = new CPath(path))
        {
            fd = LibC.OpenAt(LibC.AT_FDCWD, c.Pointer, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            throw Fail("open directory", path);
        }

        try
        {
            var names = new List<byte[]>();
            var buffer = new byte[32 * 1024];
            fixed (byte* b = buffer)
            {
                while (true)
                {
                    var n = LibC.GetDents64(fd, b, (nuint)buffer.Length);
                    if (n < 0)
                    {
                        throw Fail("readdir", path);
                    }

                    if (n == 0)
                    {
                        break;
                    }

                    // struct linux_dirent64: d_ino(8) d_off(8) d_reclen(2) d_type(1) d_name[]
                    for (var off = 0; off < n;)
                    {
                        var reclen = *(ushort*)(b + off + 16);
                        var name = new ReadOnlySpan<byte>(b + off + 19, reclen - 19);
                        var len = name.IndexOf((byte)0);
                        name = name[..len];
                        if (!(name.Length == 1 && name[0] == (byte)'.') && !(name.Length == 2 && name[0] == (byte)'.' && name[1] == (byte)'.'))
                        {
                            names.Add(name.ToArray());
                        }

                        off += reclen;
                    }
                }
            }

            return names;
        }
        finally
        {
            LibC.Close(fd);
        }
    }
}
