using MemoryPack;

namespace Cortex.Serialization;

/// <summary>
/// A brain-file DTO member whose bytes are read and written by a bounded formatter (strings, string arrays, DTO
/// arrays, skipped float arrays). <typeparamref name="TTag"/> names the member, so each member has its own type and
/// therefore its own formatter, registered statically by <see cref="DtoFormatters"/>: MemoryPack finds it by type, with no
/// attribute read by reflection (Unity's IL2CPP and NativeAOT need nothing kept or generated at run time).
/// The bytes are those of the wrapped value alone.
/// </summary>
internal sealed class DtoField<TTag, TValue>
{
    internal DtoField(TValue? value) => Value = value;

    internal TValue? Value { get; }
}

/// <summary>Reads and writes a <see cref="DtoField{TTag, TValue}"/> with the member's bounded formatter.</summary>
internal sealed class DtoFieldFormatter<TTag, TValue> : MemoryPackFormatter<DtoField<TTag, TValue>>
{
    private readonly MemoryPackFormatter<TValue> _inner;

    internal DtoFieldFormatter(MemoryPackFormatter<TValue> inner) => _inner = inner;

    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref DtoField<TTag, TValue>? value)
    {
        TValue? inner = value is null ? default : value.Value;
        _inner.Serialize(ref writer, ref inner);
    }

    public override void Deserialize(ref MemoryPackReader reader, scoped ref DtoField<TTag, TValue>? value)
    {
        TValue? inner = default;
        _inner.Deserialize(ref reader, ref inner);
        value = new DtoField<TTag, TValue>(inner);
    }
}

/// <summary>The member tags of <see cref="DtoField{TTag, TValue}"/>: one empty type per bounded member.</summary>
internal static class DtoTags
{
    internal struct MetadataName { }
    internal struct UserKeys { }
    internal struct UserValues { }
    internal struct Writer { }
    internal struct Layers { }
    internal struct Sections { }
    internal struct SectionName { }
    internal struct SectionInfos { }
    internal struct SkippedParameters { }
    internal struct SkippedMoment1 { }
    internal struct SkippedMoment2 { }
    internal struct SkippedSectionValues { }
    internal struct DemonstrationName { }
}

/// <summary>
/// Registers the bounded formatter of every <see cref="DtoField{TTag, TValue}"/> member with MemoryPack, once, from the
/// static constructor of each DTO (MemoryPack's generated static constructors call <c>StaticConstructor</c>), so the
/// formatters are in place before any DTO is read or written.
/// </summary>
internal static class DtoFormatters
{
    static DtoFormatters()
    {
        Register<DtoTags.MetadataName, string>(new CheckedStringFormatter(FormatLimits.MaxNameChars, "metadata.name"));
        Register<DtoTags.UserKeys, string[]>(new CheckedStringArrayFormatter(FormatLimits.MaxUserEntries, FormatLimits.MaxKeyChars, "metadata.userKeys"));
        Register<DtoTags.UserValues, string[]>(new CheckedStringArrayFormatter(FormatLimits.MaxUserEntries, FormatLimits.MaxValueChars, "metadata.userValues"));
        Register<DtoTags.Writer, string>(new CheckedStringFormatter(FormatLimits.MaxNameChars, "metadata.writer"));
        Register<DtoTags.Layers, LayerDto[]>(new CheckedObjectArrayFormatter<LayerDto>(FormatLimits.MaxLayers, "spec.layers"));
        Register<DtoTags.Sections, SectionDto[]>(new CheckedObjectArrayFormatter<SectionDto>(FormatLimits.MaxSections, "sections"));
        Register<DtoTags.SectionName, string>(new CheckedStringFormatter(FormatLimits.MaxKeyChars, "sections[].name"));
        Register<DtoTags.SectionInfos, SectionInfoDto[]>(new CheckedObjectArrayFormatter<SectionInfoDto>(FormatLimits.MaxSections, "sections"));
        Register<DtoTags.SkippedParameters, int>(new SkippedFloatArrayFormatter("parameters"));
        Register<DtoTags.SkippedMoment1, int>(new SkippedFloatArrayFormatter("optimizerState.moment1"));
        Register<DtoTags.SkippedMoment2, int>(new SkippedFloatArrayFormatter("optimizerState.moment2"));
        Register<DtoTags.SkippedSectionValues, int>(new SkippedFloatArrayFormatter("sections[].values"));
        Register<DtoTags.DemonstrationName, string>(new CheckedStringFormatter(FormatLimits.MaxNameChars, "name"));
    }

    /// <summary>Runs the static constructor (once); nothing else.</summary>
    internal static void EnsureRegistered()
    {
    }

    private static void Register<TTag, TValue>(MemoryPackFormatter<TValue> inner) =>
        MemoryPackFormatterProvider.Register(new DtoFieldFormatter<TTag, TValue>(inner));
}
