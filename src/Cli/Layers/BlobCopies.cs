using ParallelDiff.Cli.Push;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Layers;

/// <summary>Where a diff's blob goes besides its file or layout: standard output (-o -), a registry upload, or both.</summary>
public sealed record BlobCopies(bool ToStandardOutput)
{
    /// <summary>The request's second destination, opened anew for each write of the layer; null when there is none.</summary>
    public Func<IBlobTarget>? With(LayerPush? push) => (ToStandardOutput, push) switch
    {
        (true, { } upload) => () => BlobTargets.Both(() => new StandardOutputBlob(), upload.Open),
        (true, null) => () => new StandardOutputBlob(),
        (false, { } upload) => upload.Open,
        _ => null,
    };
}
