namespace ParallelDiff.Core.Oci;

/// <summary>An image written into a layout: its manifest and config descriptors, and the name it is tagged with.</summary>
public sealed record OciImage(OciDescriptor Manifest, OciDescriptor Config, string RefName);
