using ParallelDiff.Core.Layers;
using ParallelDiff.Registry;

namespace ParallelDiff.Cli.Push;

/// <summary>
/// A layer written and pushed at once has only the bytes of its last chunk at hand: when the
/// registry loses the upload (restarted in the middle of a chunk, which distribution answers by
/// dropping it), the layer is written again for a new upload. The export is deterministic, so the
/// bytes, and any file or layout written beside, are the same.
/// </summary>
public static class UploadRetry
{
    public const int MaxAttempts = 3;

    /// <param name="maxAttempts">1 when the layer also goes where it cannot be written twice (a pipe).</param>
    public static async Task<T> RunAsync<T>(Func<Task<T>> attempt, string target, Action<string> warn, LayerMeter? meter, CancellationToken cancellationToken, int maxAttempts = MaxAttempts)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(warn);
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt().ConfigureAwait(false);
            }
            catch (Exception e) when (n < maxAttempts && RegistryException.IsUploadLost(e) && !cancellationToken.IsCancellationRequested)
            {
                warn($"{target}: the registry lost the upload of the layer; writing it again (attempt {n + 1} of {maxAttempts})");
                meter?.Reset();
            }
        }
    }
}
