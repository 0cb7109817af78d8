namespace ParallelDiff.Core.Diff;

/// <summary>Which extended attributes a layer carries.</summary>
public enum XattrPolicy : byte
{
    /// <summary>Only security.capability, as containerd's ChangeWriter (spec §3.1 step 7).</summary>
    Capability,

    /// <summary>Every attribute except the overlay's private ones (trusted.overlay.*, user.overlay.*).</summary>
    All,
}
