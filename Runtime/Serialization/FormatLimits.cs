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

    /// <summary>Largest magnitude of a stored weight, bias or first optimizer moment: a brain beyond it has diverged (a prediction would overflow).</summary>
    public const float MaxMagnitude = 1e18f;

    /// <summary>Largest stored second optimizer moment (a mean of squared gradients, so the square of <see cref="MaxMagnitude"/>).</summary>
    public const float MaxSecondMoment = 1e36f;

    /// <summary>Most training steps a file may record (2⁵³: a million steps a second for 285 years), so that counting on cannot overflow.</summary>
    public const long MaxSteps = 1L << 53;
}
