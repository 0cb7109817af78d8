using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;

namespace ParallelDiff.Core.Export;

/// <summary>
/// Bytes written in one order by several threads: a writer appends to <see cref="Current"/> and
/// hands whole stretches of what comes next to other threads (<see cref="Fork"/>), which write them
/// meanwhile; <see cref="HashInto"/> then hashes everything in the order given, running itself a
/// stretch no thread has started, and while it waits for one another thread has, the oldest ones
/// nobody has started (so a busy thread pool can slow it, never stop it). What is written ahead of
/// the hashing is held until hashed: going in order, that is about what the other threads write
/// meanwhile. The bytes are the same however the work was shared. Each stretch is written into an
/// array from the shared pool, given back once hashed: a print of a bulk export's small upper
/// grew a fresh 1 KiB array and then a 2 KiB one, a sixth of what a warm export allocated. A walk
/// that fails leaves its arrays to the collector (a pool need not get every array back).
/// </summary>
internal sealed class ForkedRecords
{
    private readonly List<object> _parts = [];

    // Every stretch forked under one root, oldest first: what the hashing thread takes on itself
    // rather than wait. Waiting alone, it slept on the stretch a pool thread had, and the pool
    // thread took the next one before it woke: one core did the walk. Running them all before
    // hashing any held every record at once (a warm export of many-small: 31 -> 70 MiB).
    // Made at the first fork: most prints (a bulk export's small uppers) never fork.
    private ConcurrentQueue<Forked>? _unstarted;

    public ForkedRecords()
        : this(null)
    {
    }

    private ForkedRecords(ConcurrentQueue<Forked>? unstarted)
    {
        _unstarted = unstarted;
        Current = new PooledBufferWriter(1024);
        _parts.Add(Current);
    }

    /// <summary>Where the writer appends now.</summary>
    public PooledBufferWriter Current { get; private set; }

    /// <summary>Leaves the next stretch to <paramref name="write"/>, on the thread pool or in <see cref="HashInto"/>; appending goes on after it.</summary>
    public void Fork(Action<ForkedRecords> write)
    {
        _unstarted ??= new ConcurrentQueue<Forked>();
        var forked = new Forked(write, _unstarted);
        _parts.Add(forked);
        _unstarted.Enqueue(forked);
        Current = new PooledBufferWriter(1024);
        _parts.Add(Current);
        ThreadPool.UnsafeQueueUserWorkItem(static f => f.TryRun(), forked, preferLocal: false);
    }

    /// <summary>"sha256:…" of every part, in order, each part's array given back once hashed (the records are spent); rethrows a forked writer's failure.</summary>
    public string Sha256()
    {
        if (_parts.Count == 1)
        {
            // Nothing forked: one call over the one buffer, no hash object (an OpenSSL context and
            // its finalizable handle) for each of a bulk export's small uppers.
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(Current.WrittenSpan, digest);
            Current.Dispose();
            return Sha256Text.FromHash(digest);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        HashInto(hash);
        return Sha256Text.FromHash(hash.GetHashAndReset());
    }

    /// <summary>Appends every part, in order, to <paramref name="hash"/>, giving each part's array back once hashed; rethrows a forked writer's failure.</summary>
    public void HashInto(IncrementalHash hash)
    {
        foreach (var part in _parts)
        {
            if (part is PooledBufferWriter bytes)
            {
                hash.AppendData(bytes.WrittenSpan);
                bytes.Dispose();
            }
            else
            {
                ((Forked)part).Result().HashInto(hash);
            }
        }
    }

    /// <summary>A stretch written by whichever thread takes it first.</summary>
    private sealed class Forked(Action<ForkedRecords> write, ConcurrentQueue<Forked> unstarted)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _taken;
        private ForkedRecords? _written;
        private ExceptionDispatchInfo? _failure;

        public void TryRun()
        {
            if (Interlocked.Exchange(ref _taken, 1) != 0)
            {
                return;
            }

            try
            {
                var records = new ForkedRecords(unstarted);
                write(records);
                _written = records;
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                _done.SetResult();
            }
        }

        public ForkedRecords Result()
        {
            TryRun();
            while (!_done.Task.IsCompleted && unstarted.TryDequeue(out var other))
            {
                other.TryRun();
            }

            _done.Task.GetAwaiter().GetResult();
            _failure?.Throw();
            return _written!;
        }
    }
}
