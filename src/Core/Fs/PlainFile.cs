using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// A file opened by <see cref="PlainRead.TryOpen"/>, its descriptor closed by <see cref="Dispose"/>.
/// Not a SafeFileHandle: that one is finalizable, so each went through the collector's slow
/// allocation path and its finalization queue, four a snapshot in a warm --cache export (a tenth of
/// the time its opens took). Every caller disposes it in a using; one that did not would leak the
/// descriptor, as nothing finalizes this.
/// </summary>
public sealed class PlainFile : IDisposable
{
    private int _descriptor;

    internal PlainFile(int descriptor) => _descriptor = descriptor;

    /// <summary>The open descriptor.</summary>
    /// <exception cref="ObjectDisposedException">Closed already.</exception>
    public int Descriptor => _descriptor >= 0 ? _descriptor : throw new ObjectDisposedException(nameof(PlainFile));

    /// <summary>Closes the descriptor once, however often it is called.</summary>
    public void Dispose()
    {
        var descriptor = Interlocked.Exchange(ref _descriptor, -1);
        if (descriptor >= 0)
        {
            LibC.Close(descriptor);
        }
    }
}
