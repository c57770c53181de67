namespace Cortex.Serialization;

/// <summary>Hard limits of brain-file format 1, checked on save (ArgumentException) and on load (BrainFormatException).</summary>
internal static class FormatLimits
{
    /// <summary>Largest payload: keeps every MemoryPack length·size product below 2³¹.</summary>
    public const int MaxPayloadBytes = 256 << 20;
    public const int MaxLayers = 4096;
    public const int MaxSections = 1024;
    public const int MaxUserEntries = 4096;
    public const int MaxNameChars = 1024;
    public const int MaxKeyChars = 256;
    public const int MaxValueChars = 65536;

    /// <summary>Most training steps a file may record (2⁵³: a million steps a second for 285 years), so that counting on cannot overflow.</summary>
    public const long MaxSteps = 1L << 53;
}
