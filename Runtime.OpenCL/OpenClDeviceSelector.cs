using System;
using System.Collections.Generic;
using System.Globalization;

namespace Cortex.OpenCL;

/// <summary>
/// Which OpenCL device a backend should use: the best one, the best of a type, the first whose name
/// contains a text, or one by its index in <see cref="OpenClDevice.All"/>. Only usable devices
/// (available, with a compiler) are chosen. "Best" ranks GPUs, then accelerators, then CPUs, then
/// compute units × clock, then memory, then index.
/// </summary>
public readonly struct OpenClDeviceSelector : IEquatable<OpenClDeviceSelector>
{
    private enum Rule : byte
    {
        Best = 0,
        Type = 1,
        Name = 2,
        Index = 3,
    }

    private readonly Rule _rule;
    private readonly OpenClDeviceType _type;
    private readonly string? _name;
    private readonly int _index;

    private OpenClDeviceSelector(Rule rule, OpenClDeviceType type, string? name, int index)
    {
        _rule = rule;
        _type = type;
        _name = name;
        _index = index;
    }

    /// <summary>The best usable device (the default).</summary>
    public static OpenClDeviceSelector Best => default;

    /// <summary>The best usable device of a type.</summary>
    /// <param name="type">GPU, CPU, accelerator or other.</param>
    public static OpenClDeviceSelector OfType(OpenClDeviceType type)
    {
        if (type is < OpenClDeviceType.Other or > OpenClDeviceType.Accelerator) throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown device type.");
        return new OpenClDeviceSelector(Rule.Type, type, null, 0);
    }

    /// <summary>The best usable device whose name, vendor or platform name contains <paramref name="text"/> (ignoring case).</summary>
    /// <param name="text">A non-empty substring, e.g. "RTX", "Intel" or "Portable".</param>
    public static OpenClDeviceSelector NameContains(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException("The name to look for must not be empty.", nameof(text));
        return new OpenClDeviceSelector(Rule.Name, default, text.Trim(), 0);
    }

    /// <summary>The device at <paramref name="index"/> in <see cref="OpenClDevice.All"/> (see <see cref="OpenClDevice.Listing()"/>).</summary>
    /// <param name="index">At least 0.</param>
    public static OpenClDeviceSelector AtIndex(int index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "A device index must be non-negative.");
        return new OpenClDeviceSelector(Rule.Index, default, null, index);
    }

    /// <summary>
    /// Reads a selector from text, e.g. a command-line option or an environment variable: "best" (or
    /// empty), "gpu", "cpu", "accelerator", "#2" or "2" for an index, anything else a name substring.
    /// </summary>
    /// <param name="text">The text.</param>
    public static OpenClDeviceSelector Parse(string? text)
    {
        string t = (text ?? "").Trim();
        if (t.Length == 0 || t.Equals("best", StringComparison.OrdinalIgnoreCase)) return Best;
        if (t.Equals("gpu", StringComparison.OrdinalIgnoreCase)) return OfType(OpenClDeviceType.Gpu);
        if (t.Equals("cpu", StringComparison.OrdinalIgnoreCase)) return OfType(OpenClDeviceType.Cpu);
        if (t.Equals("accelerator", StringComparison.OrdinalIgnoreCase)) return OfType(OpenClDeviceType.Accelerator);
        string digits = t.StartsWith("#", StringComparison.Ordinal) ? t.Substring(1) : t;
        if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int index)) return AtIndex(index);
        return NameContains(t);
    }

    /// <summary>The device this selector picks from <paramref name="devices"/>, or null when none fits.</summary>
    /// <param name="devices">Candidates, e.g. <see cref="OpenClDevice.All"/>.</param>
    public OpenClDevice? Choose(IReadOnlyList<OpenClDevice> devices)
    {
        if (devices is null) throw new ArgumentNullException(nameof(devices));
        OpenClDevice? best = null;
        foreach (OpenClDevice d in devices)
        {
            if (!d.IsUsable || !Matches(d)) continue;
            if (best is null || Better(d, best)) best = d;
        }
        return best;
    }

    /// <summary>True when both select the same way.</summary>
    /// <param name="other">The other selector.</param>
    public bool Equals(OpenClDeviceSelector other) =>
        _rule == other._rule && _type == other._type && _index == other._index && string.Equals(_name, other._name, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is OpenClDeviceSelector other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_rule, _type, _name, _index);

    /// <summary>Equality.</summary>
    /// <param name="left">One selector.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(OpenClDeviceSelector left, OpenClDeviceSelector right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">One selector.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(OpenClDeviceSelector left, OpenClDeviceSelector right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => _rule switch
    {
        Rule.Type => $"the best {_type} device",
        Rule.Name => $"a device whose name contains \"{_name}\"",
        Rule.Index => $"device #{_index}",
        _ => "the best device",
    };

    private bool Matches(OpenClDevice d) => _rule switch
    {
        Rule.Type => d.Type == _type,
        Rule.Name => Contains(d.Name) || Contains(d.Vendor) || Contains(d.PlatformName),
        Rule.Index => d.Index == _index,
        _ => true,
    };

    private bool Contains(string text) => text.IndexOf(_name!, StringComparison.OrdinalIgnoreCase) >= 0;

    private static bool Better(OpenClDevice a, OpenClDevice b)
    {
        int ra = Rank(a.Type), rb = Rank(b.Type);
        if (ra != rb) return ra > rb;
        long pa = (long)a.ComputeUnits * Math.Max(1, a.MaxClockMHz), pb = (long)b.ComputeUnits * Math.Max(1, b.MaxClockMHz);
        if (pa != pb) return pa > pb;
        if (a.GlobalMemoryBytes != b.GlobalMemoryBytes) return a.GlobalMemoryBytes > b.GlobalMemoryBytes;
        return a.Index < b.Index;
    }

    private static int Rank(OpenClDeviceType type) => type switch
    {
        OpenClDeviceType.Gpu => 3,
        OpenClDeviceType.Accelerator => 2,
        OpenClDeviceType.Cpu => 1,
        _ => 0,
    };
}
