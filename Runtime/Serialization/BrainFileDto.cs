using System;
using MemoryPack;

namespace Cortex.Serialization;

// The MemoryPack payload of a brain file, format 1. Version-tolerant: a later version may add members
// under new orders (older readers skip them by their recorded lengths) but never renumbers, retypes or
// reuses one. Every DTO checks its member-length table before the generated reader trusts it, and
// strings and object arrays are read by the bounded formatters of PayloadGuard.

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class BrainFileDto
{
    [MemoryPackOrder(0)] public MetadataDto? Metadata { get; set; }
    [MemoryPackOrder(1)] public SpecDto? Spec { get; set; }
    [MemoryPackOrder(2)] public float[]? Parameters { get; set; }
    [MemoryPackOrder(3)] public OptimizerStateDto? OptimizerState { get; set; }
    [MemoryPackOrder(4)] public RandomStateDto? RandomState { get; set; }
    [MemoryPackOrder(5), CheckedObjectArray<SectionDto>(FormatLimits.MaxSections, "sections")] public SectionDto[]? Sections { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref BrainFileDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "file", WireSchemas.File);
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class MetadataDto
{
    [MemoryPackOrder(0), CheckedString(FormatLimits.MaxNameChars, "metadata.name")] public string? Name { get; set; }
    [MemoryPackOrder(1)] public long CreatedUnixMilliseconds { get; set; }
    [MemoryPackOrder(2)] public long TrainingSteps { get; set; }
    [MemoryPackOrder(3), CheckedStringArray(FormatLimits.MaxUserEntries, FormatLimits.MaxKeyChars, "metadata.userKeys")] public string[]? UserKeys { get; set; }
    [MemoryPackOrder(4), CheckedStringArray(FormatLimits.MaxUserEntries, FormatLimits.MaxValueChars, "metadata.userValues")] public string[]? UserValues { get; set; }
    [MemoryPackOrder(5), CheckedString(FormatLimits.MaxNameChars, "metadata.writer")] public string? Writer { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref MetadataDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "metadata", WireSchemas.Metadata);
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class SpecDto
{
    [MemoryPackOrder(0)] public int Inputs { get; set; }
    [MemoryPackOrder(1), CheckedObjectArray<LayerDto>(FormatLimits.MaxLayers, "spec.layers")] public LayerDto[]? Layers { get; set; }
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

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class SectionDto
{
    [MemoryPackOrder(0), CheckedString(FormatLimits.MaxKeyChars, "sections[].name")] public string? Name { get; set; }
    [MemoryPackOrder(1)] public float[]? Values { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref SectionDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "section", WireSchemas.Section);
}

// Views for BrainFile.ReadInfo: the same orders, with the float arrays skipped (only their lengths kept).

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class BrainFileInfoDto
{
    [MemoryPackOrder(0)] public MetadataDto? Metadata { get; set; }
    [MemoryPackOrder(1)] public SpecDto? Spec { get; set; }
    [MemoryPackOrder(2), SkippedFloatArray("parameters")] public int ParameterCount { get; set; }
    [MemoryPackOrder(3)] public OptimizerStateInfoDto? OptimizerState { get; set; }
    [MemoryPackOrder(4)] public RandomStateDto? RandomState { get; set; }
    [MemoryPackOrder(5), CheckedObjectArray<SectionInfoDto>(FormatLimits.MaxSections, "sections")] public SectionInfoDto[]? Sections { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref BrainFileInfoDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "file", WireSchemas.File);
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class OptimizerStateInfoDto
{
    [MemoryPackOrder(0)] public long Steps { get; set; }
    [MemoryPackOrder(1), SkippedFloatArray("optimizerState.moment1")] public int Moment1Length { get; set; }
    [MemoryPackOrder(2), SkippedFloatArray("optimizerState.moment2")] public int Moment2Length { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref OptimizerStateInfoDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "optimizerState", WireSchemas.OptimizerState);
}

[MemoryPackable(GenerateType.VersionTolerant)]
internal sealed partial class SectionInfoDto
{
    [MemoryPackOrder(0), CheckedString(FormatLimits.MaxKeyChars, "sections[].name")] public string? Name { get; set; }
    [MemoryPackOrder(1), SkippedFloatArray("sections[].values")] public int Length { get; set; }

    [MemoryPackOnDeserializing]
    private static void Guard(ref MemoryPackReader reader, ref SectionInfoDto? value) => PayloadGuard.CheckObjectHeader(ref reader, "section", WireSchemas.Section);
}

[AttributeUsage(AttributeTargets.Property)]
internal sealed class CheckedStringAttribute : MemoryPackCustomFormatterAttribute<CheckedStringFormatter, string>
{
    private readonly CheckedStringFormatter _formatter;

    public CheckedStringAttribute(int maxChars, string field) => _formatter = new CheckedStringFormatter(maxChars, field);

    public override CheckedStringFormatter GetFormatter() => _formatter;
}

[AttributeUsage(AttributeTargets.Property)]
internal sealed class CheckedStringArrayAttribute : MemoryPackCustomFormatterAttribute<CheckedStringArrayFormatter, string[]>
{
    private readonly CheckedStringArrayFormatter _formatter;

    public CheckedStringArrayAttribute(int maxCount, int maxChars, string field) => _formatter = new CheckedStringArrayFormatter(maxCount, maxChars, field);

    public override CheckedStringArrayFormatter GetFormatter() => _formatter;
}

[AttributeUsage(AttributeTargets.Property)]
internal sealed class CheckedObjectArrayAttribute<T> : MemoryPackCustomFormatterAttribute<CheckedObjectArrayFormatter<T>, T[]>
    where T : class
{
    private readonly CheckedObjectArrayFormatter<T> _formatter;

    public CheckedObjectArrayAttribute(int maxCount, string field) => _formatter = new CheckedObjectArrayFormatter<T>(maxCount, field);

    public override CheckedObjectArrayFormatter<T> GetFormatter() => _formatter;
}

[AttributeUsage(AttributeTargets.Property)]
internal sealed class SkippedFloatArrayAttribute : MemoryPackCustomFormatterAttribute<SkippedFloatArrayFormatter, int>
{
    private readonly SkippedFloatArrayFormatter _formatter;

    public SkippedFloatArrayAttribute(string field) => _formatter = new SkippedFloatArrayFormatter(field);

    public override SkippedFloatArrayFormatter GetFormatter() => _formatter;
}
