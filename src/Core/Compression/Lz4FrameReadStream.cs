using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace ParallelDiff.Core.Compression;

/// <summary>
/// Decodes a sequence of LZ4 frames (LZ4 frame format) into their concatenated content. It reads
/// ours (independent blocks) and the lz4 tool's (linked blocks, whose matches may reach 64 KiB
/// back into earlier blocks of the same frame), skips skippable frames, and checks every checksum
/// the frame declares. Frames with a dictionary ID are refused: the dictionary is not available.
/// </summary>
internal sealed class Lz4FrameReadStream : ForwardReadStream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly Xxh32 _contentHash = new();
    private readonly byte[] _word = new byte[8];

    private byte[] _window = [];
    private byte[] _compressed = [];
    private bool _inFrame;
    private Lz4FrameDescriptor _frame;
    private long _frameDecoded;
    private int _outStart;
    private int _outEnd;
    private bool _disposed;

    public Lz4FrameReadStream(Stream inner, bool leaveOpen)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_outStart == _outEnd)
        {
            if (!DecodeNextBlock())
            {
                return 0;
            }
        }

        var n = Math.Min(buffer.Length, _outEnd - _outStart);
        _window.AsSpan(_outStart, n).CopyTo(buffer);
        _outStart += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed && !_leaveOpen)
        {
            _inner.Dispose();
        }

        _disposed = true;
        base.Dispose(disposing);
    }

    /// <summary>Decodes the next data block into the window; false at the clean end of the input.</summary>
    private bool DecodeNextBlock()
    {
        while (true)
        {
            if (!_inFrame && !StartFrame())
            {
                return false;
            }

            ReadExactly(_word.AsSpan(0, 4), "block size");
            var field = BinaryPrimitives.ReadUInt32LittleEndian(_word);
            if (field == 0)
            {
                EndFrame();
                continue;
            }

            var stored = (field & Lz4Frame.UncompressedBlockBit) != 0;
            var length = (int)(field & ~Lz4Frame.UncompressedBlockBit);
            if (length > _frame.MaxBlockLength)
            {
                throw new InvalidDataException($"LZ4 frame: block of {length} bytes exceeds the declared maximum {_frame.MaxBlockLength}");
            }

            ReadExactly(_compressed.AsSpan(0, length), "block data");
            if (_frame.BlockChecksum)
            {
                ReadExactly(_word.AsSpan(0, 4), "block checksum");
                if (BinaryPrimitives.ReadUInt32LittleEndian(_word) != Xxh32.Hash(_compressed.AsSpan(0, length)))
                {
                    throw new InvalidDataException("LZ4 frame: block checksum mismatch");
                }
            }

            var history = KeepHistory();
            var target = _window.AsSpan(history, _frame.MaxBlockLength);
            int decoded;
            if (stored)
            {
                _compressed.AsSpan(0, length).CopyTo(target);
                decoded = length;
            }
            else
            {
                decoded = LZ4Codec.Decode(_compressed.AsSpan(0, length), target, _window.AsSpan(0, history));
                if (decoded < 0)
                {
                    throw new InvalidDataException("LZ4 frame: corrupt compressed block");
                }
            }

            _outStart = history;
            _outEnd = history + decoded;
            _frameDecoded += decoded;
            if (_frame.ContentChecksum)
            {
                _contentHash.Append(_window.AsSpan(_outStart, decoded));
            }

            if (decoded > 0)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// For linked blocks, moves the last 64 KiB of output to the front of the window, where the
    /// decoder uses it as the dictionary; returns its length (0 for independent blocks).
    /// </summary>
    private int KeepHistory()
    {
        if (!_frame.LinkedBlocks)
        {
            return 0;
        }

        var keep = Math.Min(Lz4Frame.HistoryLength, _outEnd);
        _window.AsSpan(_outEnd - keep, keep).CopyTo(_window);
        return keep;
    }

    /// <summary>Reads frame headers, skipping skippable frames; false when the input ends between frames.</summary>
    private bool StartFrame()
    {
        while (true)
        {
            var got = ReadAtMost(_word.AsSpan(0, 4));
            if (got == 0)
            {
                return false;
            }

            if (got < 4)
            {
                throw new InvalidDataException("LZ4 stream: truncated frame magic");
            }

            var magic = BinaryPrimitives.ReadUInt32LittleEndian(_word);
            if ((magic & Lz4Frame.SkippableMagicMask) == Lz4Frame.SkippableMagicBase)
            {
                ReadExactly(_word.AsSpan(0, 4), "skippable frame size");
                Skip(BinaryPrimitives.ReadUInt32LittleEndian(_word));
                continue;
            }

            if (magic != Lz4Frame.Magic)
            {
                throw new InvalidDataException($"LZ4 stream: expected a frame magic, found 0x{magic:x8}");
            }

            BeginFrame(Lz4FrameDescriptor.Read(_inner));
            return true;
        }
    }

    private void BeginFrame(Lz4FrameDescriptor frame)
    {
        _frame = frame;
        _frameDecoded = 0;
        _contentHash.Reset();
        _outStart = _outEnd = 0;

        var windowLength = frame.MaxBlockLength + (frame.LinkedBlocks ? Lz4Frame.HistoryLength : 0);
        if (_window.Length < windowLength)
        {
            _window = new byte[windowLength];
        }

        if (_compressed.Length < frame.MaxBlockLength)
        {
            _compressed = new byte[frame.MaxBlockLength];
        }

        _inFrame = true;
    }

    private void EndFrame()
    {
        if (_frame.ContentChecksum)
        {
            ReadExactly(_word.AsSpan(0, 4), "content checksum");
            if (BinaryPrimitives.ReadUInt32LittleEndian(_word) != _contentHash.Digest())
            {
                throw new InvalidDataException("LZ4 frame: content checksum mismatch");
            }
        }

        if (_frame.ContentSize is { } size && size != _frameDecoded)
        {
            throw new InvalidDataException($"LZ4 frame: declared content size {size} but decoded {_frameDecoded} bytes");
        }

        _inFrame = false;
        _outStart = _outEnd = 0;
    }

    private int ReadAtMost(Span<byte> buffer) => Lz4Frame.ReadAtMost(_inner, buffer);

    private void ReadExactly(Span<byte> buffer, string what) => Lz4Frame.ReadExactly(_inner, buffer, what);

    private void Skip(uint length)
    {
        Span<byte> scratch = stackalloc byte[4096];
        for (long left = length; left > 0;)
        {
            var n = ReadAtMost(scratch[..(int)Math.Min(left, scratch.Length)]);
            if (n == 0)
            {
                throw new InvalidDataException("LZ4 stream: truncated skippable frame");
            }

            left -= n;
        }
    }
}
