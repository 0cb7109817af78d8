using ParallelDiff.Core.Export;

namespace ParallelDiff.Cli;

/// <summary>The --tag of diff and image: the ref name an OCI layout's index gives the image.</summary>
internal static class TagArgument
{
    /// <exception cref="UsageException">The tag is not a valid ref name; the message gives the rule.</exception>
    public static string Check(string tag) =>
        ExportJobList.IsValidId(tag)
            ? tag
            : throw new UsageException($"--tag '{tag}': not a valid ref name (image-layout.md: components of letters and digits joined by - . _ : @ + or --, separated by /)");
}
