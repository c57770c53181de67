using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using Cortex.Serialization;
using MemoryPack;

namespace Cortex.Tests.Serialization;

/// <summary>
/// Structure-aware mutations of valid brain files for the fuzz test: either the decoded payload is edited field by
/// field (values at and beyond every documented limit, arrays resized or nulled, strings made long or ill-formed) and
/// re-encoded, or the wire format itself is walked (member counts, member-length varints, collection and string
/// headers, fixed-size fields) and one of those slots is rewritten. The result always has a valid header and checksum,
/// so the payload parser and the validation, not the checksum, meet it.
/// </summary>
internal static class StructuredMutator
{
    private static readonly int[] Ints =
    {
        0, 1, -1, 2, 3, 7, 8, 127, 128, 255, 256, 4095, 4096, 4097, 65535, 65536, 1 << 20, (1 << 20) + 1, 1 << 28, int.MaxValue, int.MinValue, -100,
    };

    private static readonly long[] Longs =
    {
        0, 1, -1, long.MaxValue, long.MinValue, FormatLimits.MaxSteps, FormatLimits.MaxSteps + 1, 253402300799999L, 253402300800000L, -62135596800001L,
    };

    private static readonly float[] Floats =
    {
        0f, -0f, 1f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 3e38f, float.MaxValue, float.Epsilon, 1e18f, 1.1e18f,
        1e36f, 1.1e36f, 10f, 10.001f, 100f, 100.5f, 1e6f, 1.5e6f, 1e9f, 2e9f, 0.999999f, 0.5f, -0.5f, 2f,
    };

    private static readonly string[] Strings =
    {
        "", "x", "\uD800", "a\uDC00", "\uD83D\uDE00", "ünï", new string('k', 256), new string('k', 257), new string('n', 1025), new string('v', 70_000),
    };

    public static (byte[] File, string How) Mutate(byte[] file, SeededRandom random) =>
        random.NextInt(2) == 0 ? MutateFields(file, random) : MutateWire(file, random);

    // ---------------------------------------------------------------- decoded payload

    private static (byte[] File, string How) MutateFields(byte[] file, SeededRandom random)
    {
        BrainFileDto dto = MemoryPackSerializer.Deserialize<BrainFileDto>(file.AsSpan(BrainFile.HeaderLength))!;
        int edits = 1 + (random.NextInt(4) == 0 ? random.NextInt(3) : 0);
        var how = new List<string>();
        for (int e = 0; e < edits; e++) how.Add(EditField(dto, random));
        var options = random.NextInt(2) == 0 ? MemoryPackSerializerOptions.Utf16 : MemoryPackSerializerOptions.Utf8;
        byte[] payload;
        try
        {
            payload = MemoryPackSerializer.Serialize(dto, options);
        }
        catch (MemoryPackSerializationException)
        {
            payload = MemoryPackSerializer.Serialize(dto, MemoryPackSerializerOptions.Utf16);   // UTF-8 refuses lone surrogates
        }
        BrainFileFlags flags = BrainFileFlags.None;
        if (dto.OptimizerState is not null) flags |= BrainFileFlags.OptimizerState;
        if (dto.RandomState is not null) flags |= BrainFileFlags.RandomState;
        if (dto.Sections is { Length: > 0 }) flags |= BrainFileFlags.Sections;
        if (dto.Recurrent is not null) flags |= BrainFileFlags.Recurrent;
        if (random.NextInt(8) == 0) flags ^= (BrainFileFlags)(1u << random.NextInt(32));
        return (BrainFileKit.WithHeader(payload, flags), "fields: " + string.Join("; ", how));
    }

    private static T Pick<T>(SeededRandom random, T[] values) => values[random.NextInt(values.Length)];

    private static string EditField(BrainFileDto d, SeededRandom r)
    {
        MetadataDto m = d.Metadata ??= new MetadataDto();
        SpecDto s = d.Spec ??= new SpecDto();
        switch (r.NextInt(26))
        {
            case 0: m.Name = r.NextInt(5) == 0 ? null : Pick(r, Strings); return "metadata.name";
            case 1: m.CreatedUnixMilliseconds = Pick(r, Longs); return $"metadata.created {m.CreatedUnixMilliseconds}";
            case 2: m.TrainingSteps = Pick(r, Longs); return $"metadata.trainingSteps {m.TrainingSteps}";
            case 3:
            {
                int n = r.NextInt(4) == 0 ? r.NextInt(5000) : r.NextInt(6);
                m.UserKeys = new string[n];
                m.UserValues = new string[r.NextInt(3) == 0 ? r.NextInt(6) : n];
                for (int i = 0; i < m.UserKeys.Length; i++) m.UserKeys[i] = r.NextInt(6) == 0 ? Pick(r, Strings) : $"k{r.NextInt(4)}";
                // Many entries or a few long ones (not both: the file would be hundreds of megabytes).
                for (int i = 0; i < m.UserValues.Length; i++) m.UserValues[i] = r.NextInt(8) == 0 ? null! : n > 6 ? "v" : Pick(r, Strings);
                return $"user data {m.UserKeys.Length}/{m.UserValues.Length}";
            }
            case 4: m.Writer = r.NextInt(4) == 0 ? null : Pick(r, Strings); return "metadata.writer";
            case 5: s.Inputs = Pick(r, Ints); return $"spec.inputs {s.Inputs}";
            case 6:
            {
                if (s.Layers is not { Length: > 0 }) return "spec.layers (none)";
                LayerDto l = s.Layers[r.NextInt(s.Layers.Length)] ??= new LayerDto();
                switch (r.NextInt(4))
                {
                    case 0: l.Outputs = Pick(r, Ints); return $"layer outputs {l.Outputs}";
                    case 1: l.Activation = (byte)r.NextInt(12); return $"layer activation {l.Activation}";
                    case 2: l.Alpha = Pick(r, Floats); return $"layer alpha {l.Alpha}";
                    default: l.Init = (byte)r.NextInt(8); return $"layer init {l.Init}";
                }
            }
            case 7:
            {
                var list = new List<LayerDto>(s.Layers ?? Array.Empty<LayerDto>());
                int what = r.NextInt(4);
                if (what == 0 && list.Count > 0) list.RemoveAt(r.NextInt(list.Count));
                else if (what == 1 && list.Count > 0) list.Insert(r.NextInt(list.Count), list[r.NextInt(list.Count)]);
                else if (what == 2) list.Add(null!);
                else s.Layers = r.NextInt(2) == 0 ? null : Array.Empty<LayerDto>();
                if (what < 3) s.Layers = list.ToArray();
                return $"spec.layers now {s.Layers?.Length.ToString() ?? "null"}";
            }
            case 8: s.LossKind = (byte)r.NextInt(8); return $"spec.lossKind {s.LossKind}";
            case 9: s.LossDelta = Pick(r, Floats); return $"spec.lossDelta {s.LossDelta}";
            case 10: s.MaxBatch = Pick(r, Ints); return $"spec.maxBatch {s.MaxBatch}";
            case 11:
            {
                if (r.NextInt(8) == 0)
                {
                    s.Optimizer = null;
                    return "spec.optimizer null";
                }
                OptimizerDto o = s.Optimizer ??= new OptimizerDto();
                switch (r.NextInt(9))
                {
                    case 0: o.Kind = (byte)r.NextInt(5); return $"optimizer kind {o.Kind}";
                    case 1: o.LearningRate = Pick(r, Floats); return $"learningRate {o.LearningRate}";
                    case 2: o.Momentum = Pick(r, Floats); return $"momentum {o.Momentum}";
                    case 3: o.Nesterov = (byte)r.NextInt(3); return $"nesterov {o.Nesterov}";
                    case 4: o.Beta1 = Pick(r, Floats); return $"beta1 {o.Beta1}";
                    case 5: o.Beta2 = Pick(r, Floats); return $"beta2 {o.Beta2}";
                    case 6: o.Epsilon = Pick(r, Floats); return $"epsilon {o.Epsilon}";
                    case 7: o.WeightDecay = Pick(r, Floats); return $"weightDecay {o.WeightDecay}";
                    default: o.MaxGradientNorm = Pick(r, Floats); return $"maxGradientNorm {o.MaxGradientNorm}";
                }
            }
            case 12: case 13:
                d.Parameters = EditArray(d.Parameters, r, out string p);
                return "parameters " + p;
            case 14:
                d.OptimizerState = r.NextInt(3) == 0 ? null : d.OptimizerState ?? new OptimizerStateDto();
                return "optimizerState " + (d.OptimizerState is null ? "removed" : "kept");
            case 15:
                if (d.OptimizerState is null) return "optimizerState (none)";
                d.OptimizerState.Steps = Pick(r, Longs);
                return $"optimizerState.steps {d.OptimizerState.Steps}";
            case 16: case 17:
            {
                if (d.OptimizerState is null) return "optimizerState (none)";
                string q;
                if (r.NextInt(2) == 0) d.OptimizerState.Moment1 = EditArray(d.OptimizerState.Moment1, r, out q);
                else d.OptimizerState.Moment2 = EditArray(d.OptimizerState.Moment2, r, out q);
                return "moment " + q;
            }
            case 18:
            {
                if (r.NextInt(4) == 0)
                {
                    d.RandomState = null;
                    return "randomState null";
                }
                RandomStateDto g = d.RandomState ??= new RandomStateDto();
                switch (r.NextInt(3))
                {
                    case 0: g.S0 = g.S1 = g.S2 = g.S3 = 0; return "randomState zero";
                    case 1: g.HasSpareGaussian = (byte)r.NextInt(4); return $"hasSpareGaussian {g.HasSpareGaussian}";
                    default: g.SpareGaussianBits = (uint)BitConverter.SingleToInt32Bits(Pick(r, Floats)); g.HasSpareGaussian = 1; return "spare gaussian";
                }
            }
            case 19:
            {
                // The recurrent layer (format 2): removed from a recurrent file, added to a dense one, or edited.
                if (r.NextInt(4) == 0)
                {
                    d.Recurrent = d.Recurrent is null ? new RecurrentDto { Kind = 1, Hidden = 2, RecurrentScale = 1f, MaxSequence = 2 } : null;
                    return "recurrent " + (d.Recurrent is null ? "removed" : "added");
                }
                RecurrentDto c = d.Recurrent ??= new RecurrentDto();
                switch (r.NextInt(4))
                {
                    case 0: c.Kind = (byte)r.NextInt(4); return $"recurrent.kind {c.Kind}";
                    case 1: c.Hidden = Pick(r, Ints); return $"recurrent.hidden {c.Hidden}";
                    case 2: c.RecurrentScale = Pick(r, Floats); return $"recurrent.recurrentScale {c.RecurrentScale}";
                    default: c.MaxSequence = Pick(r, Ints); return $"recurrent.maxSequence {c.MaxSequence}";
                }
            }
            default:
            {
                var list = new List<SectionDto>(d.Sections ?? Array.Empty<SectionDto>());
                switch (r.NextInt(5))
                {
                    case 0: list.Add(new SectionDto { Name = Pick(r, Strings), Values = r.NextInt(4) == 0 ? null : new[] { Pick(r, Floats) } }); break;
                    case 1: list.Add(null!); break;
                    case 2: if (list.Count > 0) list.Add(list[0]); break;
                    case 3: for (int i = 0; i < 1 + r.NextInt(1100); i++) list.Add(new SectionDto { Name = $"s{i}", Values = Array.Empty<float>() }); break;
                    default: if (list.Count > 0 && list[r.NextInt(list.Count)] is SectionDto section) section.Values = EditArray(section.Values, r, out _); break;
                }
                d.Sections = list.Count == 0 && r.NextInt(2) == 0 ? null : list.ToArray();
                return $"sections {list.Count}";
            }
        }
    }

    private static float[]? EditArray(float[]? values, SeededRandom r, out string how)
    {
        switch (r.NextInt(6))
        {
            case 0: how = "null"; return null;
            case 1:
            {
                int n = Math.Max(0, (values?.Length ?? 0) + (r.NextInt(2) == 0 ? -1 : 1));
                how = $"resized to {n}";
                float[] resized = new float[n];
                values?.AsSpan(0, Math.Min(n, values.Length)).CopyTo(resized);
                return resized;
            }
            case 2: how = "empty"; return Array.Empty<float>();
            default:
            {
                if (values is not { Length: > 0 })
                {
                    how = "(empty)";
                    return values;
                }
                float[] copy = (float[])values.Clone();
                int i = r.NextInt(copy.Length);
                copy[i] = Pick(r, Floats);
                how = $"[{i}] = {copy[i]}";
                return copy;
            }
        }
    }

    // ---------------------------------------------------------------- the wire

    private enum Slot : byte { MemberCount, VarInt, Header, Byte, Four, Eight }

    private static readonly Dictionary<WireMember[], WireMember[]?[]> Children = new()
    {
        [WireSchemas.File] = new[] { WireSchemas.Metadata, WireSchemas.Spec, null, WireSchemas.OptimizerState, WireSchemas.RandomState, WireSchemas.Section, WireSchemas.Recurrent },
        [WireSchemas.Spec] = new[] { null, WireSchemas.Layer, null, null, WireSchemas.Optimizer, null },
    };

    private static (byte[] File, string How) MutateWire(byte[] file, SeededRandom random)
    {
        var slots = new List<(int At, int Width, Slot Kind)>();
        ReadOnlySpan<byte> payload = file.AsSpan(BrainFile.HeaderLength);
        WalkObject(payload, 0, WireSchemas.File, slots);
        (int at, int width, Slot kind) = slots[random.NextInt(slots.Count)];
        int where = BrainFile.HeaderLength + at;
        byte[] replacement;
        switch (kind)
        {
            case Slot.MemberCount:
                replacement = new[] { (byte)(random.NextInt(2) == 0 ? random.NextInt(256) : file[where] + random.NextInt(3) - 1) };
                break;
            case Slot.VarInt:
                int value = random.NextInt(3) == 0 ? Pick(random, Ints) : ReadVar(file, where) + random.NextInt(5) - 2;
                replacement = VarInt(value, random.NextInt(2) == 0);
                break;
            case Slot.Header:
            case Slot.Four:
                replacement = new byte[4];
                if (kind == Slot.Four && random.NextInt(2) == 0) BinaryPrimitives.WriteSingleLittleEndian(replacement, Pick(random, Floats));
                else BinaryPrimitives.WriteInt32LittleEndian(replacement, random.NextInt(3) == 0 ? BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(where)) + random.NextInt(5) - 2 : Pick(random, Ints));
                break;
            case Slot.Eight:
                replacement = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(replacement, Pick(random, Longs));
                break;
            default:
                replacement = new[] { (byte)random.NextInt(256) };
                break;
        }
        return (BrainFileKit.Splice(file, where, width, replacement), $"wire {kind} at {where} ({width} -> {replacement.Length} bytes)");
    }

    private static int ReadVar(byte[] file, int at)
    {
        sbyte code = (sbyte)file[at];
        return code switch
        {
            -121 => file[at + 1],
            -122 => (sbyte)file[at + 1],
            -123 => BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at + 1)),
            -124 => BinaryPrimitives.ReadInt16LittleEndian(file.AsSpan(at + 1)),
            -125 or -126 => BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(at + 1)),
            -127 or -128 => (int)BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(at + 1)),
            _ => code,
        };
    }

    private static byte[] VarInt(int value, bool wide)
    {
        if (!wide && value >= -120 && value <= 127) return new[] { unchecked((byte)(sbyte)value) };
        var bytes = new byte[5];
        bytes[0] = unchecked((byte)(sbyte)-126);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(1), value);
        return bytes;
    }

    private static int VarIntSize(sbyte code) => code switch { -121 or -122 => 2, -123 or -124 => 3, -125 or -126 => 5, -127 or -128 => 9, _ => 1 };

    // Records the slots of one valid object at span[at..] and returns its length.
    private static int WalkObject(ReadOnlySpan<byte> span, int at, WireMember[] schema, List<(int, int, Slot)> slots)
    {
        byte count = span[at];
        slots.Add((at, 1, Slot.MemberCount));
        if (count == 255) return 1;
        int cursor = at + 1;
        for (int i = 0; i < count; i++)
        {
            int size = VarIntSize((sbyte)span[cursor]);
            slots.Add((cursor, size, Slot.VarInt));
            cursor += size;
        }
        Children.TryGetValue(schema, out WireMember[]?[]? children);
        for (int i = 0; i < count && i < schema.Length; i++)
        {
            WireMember[]? child = children?[i];
            switch (schema[i])
            {
                case WireMember.Byte: slots.Add((cursor, 1, Slot.Byte)); cursor += 1; break;
                case WireMember.Four: slots.Add((cursor, 4, Slot.Four)); cursor += 4; break;
                case WireMember.Eight: slots.Add((cursor, 8, Slot.Eight)); cursor += 8; break;
                case WireMember.Floats:
                {
                    slots.Add((cursor, 4, Slot.Header));
                    int n = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(cursor));
                    if (n > 0) slots.Add((cursor + 4 + 4 * (n - 1), 4, Slot.Four));
                    cursor += 4 + 4 * Math.Max(n, 0);
                    break;
                }
                case WireMember.Text: cursor += WalkText(span, cursor, slots); break;
                case WireMember.Texts:
                {
                    slots.Add((cursor, 4, Slot.Header));
                    int n = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(cursor));
                    cursor += 4;
                    for (int k = 0; k < n; k++) cursor += WalkText(span, cursor, slots);
                    break;
                }
                case WireMember.Object: cursor += WalkObject(span, cursor, child!, slots); break;
                case WireMember.Objects:
                {
                    slots.Add((cursor, 4, Slot.Header));
                    int n = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(cursor));
                    cursor += 4;
                    for (int k = 0; k < n; k++) cursor += WalkObject(span, cursor, child!, slots);
                    break;
                }
            }
        }
        return cursor - at;
    }

    private static int WalkText(ReadOnlySpan<byte> span, int at, List<(int, int, Slot)> slots)
    {
        slots.Add((at, 4, Slot.Header));
        int header = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(at));
        if (header == -1) return 4;
        if (header >= 0) return 4 + 2 * header;
        slots.Add((at + 4, 4, Slot.Four));   // the UTF-16 length of a UTF-8 string
        return 8 + ~header;
    }
}
