using MemoryPack;

namespace Cortex.Serialization;

// The MemoryPack payload of a brain file, formats 1 and 2 (2 adds Recurrent, order 6). Version-tolerant: a later version may add members
// under new orders (older readers skip them by their recorded lengths) but never renumbers, retypes or
// reuses one. Every DTO checks its member-length table before the generated reader trusts it, and
// strings and object arrays are read by the bounded formatters of PayloadGuard, reached through
// DtoField members whose formatters DtoFormatters registers statically (no attribute is read by reflection).

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class BrainFileDto
{
    static partial void StaticConstructor() => DtoFormatters.EnsureRegistered();

    [MemoryPackOrder(0)] public MetadataDto? Metadata { get; set; }
    [MemoryPackOrder(1)] public SpecDto? Spec { get; set; }
    [MemoryPackOrder(2)] public float[]? Parameters { get; set; }
    [MemoryPackOrder(3)] public OptimizerStateDto? OptimizerState { get; set; }
    [MemoryPackOrder(4)] public RandomStateDto? RandomState { get; set; }
    [MemoryPackIgnore] public SectionDto[]? Sections { get => SectionsField?.Value; set => SectionsField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(5), MemoryPackAllowSerialize] private DtoField<DtoTags.Sections, SectionDto[]>? SectionsField { get; set; }
    [MemoryPackOrder(6)] public RecurrentDto? Recurrent { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref BrainFileDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "file", WireSchemas.File);
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class MetadataDto
{
    static partial void StaticConstructor() => DtoFormatters.EnsureRegistered();

    [MemoryPackIgnore] public string? Name { get => NameField?.Value; set => NameField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(0), MemoryPackAllowSerialize] private DtoField<DtoTags.MetadataName, string>? NameField { get; set; }
    [MemoryPackOrder(1)] public long CreatedUnixMilliseconds { get; set; }
    [MemoryPackOrder(2)] public long TrainingSteps { get; set; }
    [MemoryPackIgnore] public string[]? UserKeys { get => UserKeysField?.Value; set => UserKeysField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(3), MemoryPackAllowSerialize] private DtoField<DtoTags.UserKeys, string[]>? UserKeysField { get; set; }
    [MemoryPackIgnore] public string[]? UserValues { get => UserValuesField?.Value; set => UserValuesField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(4), MemoryPackAllowSerialize] private DtoField<DtoTags.UserValues, string[]>? UserValuesField { get; set; }
    [MemoryPackIgnore] public string? Writer { get => WriterField?.Value; set => WriterField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(5), MemoryPackAllowSerialize] private DtoField<DtoTags.Writer, string>? WriterField { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref MetadataDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "metadata", WireSchemas.Metadata);
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class SpecDto
{
    static partial void StaticConstructor() => DtoFormatters.EnsureRegistered();

    [MemoryPackOrder(0)] public int Inputs { get; set; }
    [MemoryPackIgnore] public LayerDto[]? Layers { get => LayersField?.Value; set => LayersField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(1), MemoryPackAllowSerialize] private DtoField<DtoTags.Layers, LayerDto[]>? LayersField { get; set; }
    [MemoryPackOrder(2)] public byte LossKind { get; set; }
    [MemoryPackOrder(3)] public float LossDelta { get; set; }
    [MemoryPackOrder(4)] public OptimizerDto? Optimizer { get; set; }
    [MemoryPackOrder(5)] public int MaxBatch { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref SpecDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "spec", WireSchemas.Spec);
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class LayerDto
{
    [MemoryPackOrder(0)] public int Outputs { get; set; }
    [MemoryPackOrder(1)] public byte Activation { get; set; }
    [MemoryPackOrder(2)] public float Alpha { get; set; }
    [MemoryPackOrder(3)] public byte Init { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref LayerDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "layer", WireSchemas.Layer);
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class OptimizerDto
{
    [MemoryPackOrder(0)] public byte Kind { get; set; }
    [MemoryPackOrder(1)] public float LearningRate { get; set; }
    [MemoryPackOrder(2)] public float Momentum { get; set; }
    [MemoryPackOrder(3)] public byte Nesterov { get; set; }
    [MemoryPackOrder(4)] public float Beta1 { get; set; }
    [MemoryPackOrder(5)] public float Beta2 { get; set; }
    [MemoryPackOrder(6)] public float Epsilon { get; set; }
    [MemoryPackOrder(7)] public float WeightDecay { get; set; }
    [MemoryPackOrder(8)] public float MaxGradientNorm { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref OptimizerDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "spec.optimizer", WireSchemas.Optimizer);
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class OptimizerStateDto
{
    [MemoryPackOrder(0)] public long Steps { get; set; }
    [MemoryPackOrder(1)] public float[]? Moment1 { get; set; }
    [MemoryPackOrder(2)] public float[]? Moment2 { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref OptimizerStateDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "optimizerState", WireSchemas.OptimizerState);
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class RandomStateDto
{
    [MemoryPackOrder(0)] public ulong S0 { get; set; }
    [MemoryPackOrder(1)] public ulong S1 { get; set; }
    [MemoryPackOrder(2)] public ulong S2 { get; set; }
    [MemoryPackOrder(3)] public ulong S3 { get; set; }
    [MemoryPackOrder(4)] public uint SpareGaussianBits { get; set; }
    [MemoryPackOrder(5)] public byte HasSpareGaussian { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref RandomStateDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "randomState", WireSchemas.RandomState);
}

// Format 2: the recurrent layer in front of the dense layers of spec (whose inputs are then the brain's inputs, and
// whose layers are the dense head); parameters hold the recurrent layer's, then the head's. Absent in dense files.
[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class RecurrentDto
{
    [MemoryPackOrder(0)] public byte Kind { get; set; }
    [MemoryPackOrder(1)] public int Hidden { get; set; }
    [MemoryPackOrder(2)] public float RecurrentScale { get; set; }
    [MemoryPackOrder(3)] public int MaxSequence { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref RecurrentDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "recurrent", WireSchemas.Recurrent);
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class SectionDto
{
    static partial void StaticConstructor() => DtoFormatters.EnsureRegistered();

    [MemoryPackIgnore] public string? Name { get => NameField?.Value; set => NameField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(0), MemoryPackAllowSerialize] private DtoField<DtoTags.SectionName, string>? NameField { get; set; }
    [MemoryPackOrder(1)] public float[]? Values { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref SectionDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "section", WireSchemas.Section);
}

// Views for BrainFile.ReadInfo: the same orders, with the float arrays skipped (only their lengths kept).

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class BrainFileInfoDto
{
    static partial void StaticConstructor() => DtoFormatters.EnsureRegistered();

    [MemoryPackOrder(0)] public MetadataDto? Metadata { get; set; }
    [MemoryPackOrder(1)] public SpecDto? Spec { get; set; }
    [MemoryPackIgnore] public int ParameterCount { get => ParameterCountField?.Value ?? 0; set => ParameterCountField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(2), MemoryPackAllowSerialize] private DtoField<DtoTags.SkippedParameters, int>? ParameterCountField { get; set; }
    [MemoryPackOrder(3)] public OptimizerStateInfoDto? OptimizerState { get; set; }
    [MemoryPackOrder(4)] public RandomStateDto? RandomState { get; set; }
    [MemoryPackIgnore] public SectionInfoDto[]? Sections { get => SectionsField?.Value; set => SectionsField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(5), MemoryPackAllowSerialize] private DtoField<DtoTags.SectionInfos, SectionInfoDto[]>? SectionsField { get; set; }
    [MemoryPackOrder(6)] public RecurrentDto? Recurrent { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref BrainFileInfoDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "file", WireSchemas.File);
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class OptimizerStateInfoDto
{
    static partial void StaticConstructor() => DtoFormatters.EnsureRegistered();

    [MemoryPackOrder(0)] public long Steps { get; set; }
    [MemoryPackIgnore] public int Moment1Length { get => Moment1LengthField?.Value ?? 0; set => Moment1LengthField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(1), MemoryPackAllowSerialize] private DtoField<DtoTags.SkippedMoment1, int>? Moment1LengthField { get; set; }
    [MemoryPackIgnore] public int Moment2Length { get => Moment2LengthField?.Value ?? 0; set => Moment2LengthField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(2), MemoryPackAllowSerialize] private DtoField<DtoTags.SkippedMoment2, int>? Moment2LengthField { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref OptimizerStateInfoDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "optimizerState", WireSchemas.OptimizerState);
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class SectionInfoDto
{
    static partial void StaticConstructor() => DtoFormatters.EnsureRegistered();

    [MemoryPackIgnore] public string? Name { get => NameField?.Value; set => NameField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(0), MemoryPackAllowSerialize] private DtoField<DtoTags.SectionName, string>? NameField { get; set; }
    [MemoryPackIgnore] public int Length { get => LengthField?.Value ?? 0; set => LengthField = new(value); }
    [MemoryPackInclude, MemoryPackOrder(1), MemoryPackAllowSerialize] private DtoField<DtoTags.SkippedSectionValues, int>? LengthField { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref SectionInfoDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "section", WireSchemas.Section);
}
