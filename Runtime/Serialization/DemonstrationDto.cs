using MemoryPack;

namespace Cortex.Serialization;

// The MemoryPack payload of a demonstration file, format 1 (version-tolerant like the brain file's:
// later versions add members under new orders, never renumber or retype one).
[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class DemonstrationDto
{
    static partial void StaticConstructor() => DtoFormatters.EnsureRegistered();

    [MemoryPackIgnore] public string? Name { get => NameField?.Value; set => NameField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(0), MemoryPackAllowSerialize] private DtoField<DtoTags.DemonstrationName, string>? NameField { get; set; }
    [MemoryPackOrder(1)] public int ObservationSize { get; set; }
    [MemoryPackOrder(2)] public int[]? BranchSizes { get; set; }
    [MemoryPackOrder(3)] public int ContinuousSize { get; set; }
    [MemoryPackOrder(4)] public float[]? Observations { get; set; }
    [MemoryPackOrder(5)] public float[]? Actions { get; set; }
    [MemoryPackOrder(6)] public float[]? Rewards { get; set; }
    [MemoryPackOrder(7)] public byte[]? EpisodeEnds { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref DemonstrationDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "demonstration", WireSchemas.Demonstration);
}
