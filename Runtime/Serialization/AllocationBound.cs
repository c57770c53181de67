namespace Cortex.Serialization;

/// <summary>
/// The documented ceiling on what reading a brain file allocates (docs/brain-file-threat-model.md), in one
/// place for the tests that assert it. Strings count at their size in the file only when stored as UTF-16,
/// which is what Cortex writes; UTF-8 text (other writers) decodes to up to twice its bytes and is covered
/// by the total bound only.
/// </summary>
internal static class AllocationBound
{
    /// <summary>Reading and checking: the file's bytes once, the arrays parsed out of them, a little per layer.</summary>
    /// <param name="fileLength">Bytes in the file.</param>
    /// <param name="layers">Layers its spec declares.</param>
    /// <param name="seekable">False for a non-seekable stream, whose length is unknown until read (a quarter more).</param>
    public static long Reading(long fileLength, int layers, bool seekable) =>
        (seekable ? 2 * fileLength : 2 * fileLength + fileLength / 4) + (64 << 10) + 128L * layers;

    /// <summary>Everything a load allocates, building the brain included.</summary>
    /// <param name="fileLength">Bytes in the file.</param>
    /// <param name="layers">Layers its spec declares.</param>
    /// <param name="maxWorkspaceFloats">The cap <see cref="BrainLoadOptions.MaxWorkspaceFloats"/> puts on the workspace.</param>
    public static long Total(long fileLength, int layers, long maxWorkspaceFloats) =>
        8 * fileLength + 4 * maxWorkspaceFloats + (256 << 10) + 512L * layers;
}
