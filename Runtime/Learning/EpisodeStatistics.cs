using System;
using System.Collections.Generic;

namespace Cortex.Learning;

/// <summary>
/// Per-episode statistics of an <see cref="AgentGroup"/> (ML-Agents' StatsRecorder, in memory): each finished
/// episode's return, length and custom values (named here, set by the agents with
/// <see cref="Agent.SetEpisodeValue"/> / <see cref="Agent.AddEpisodeValue"/>), kept in a ring of the last
/// <see cref="Capacity"/> episodes for plotting and running means. Recording allocates nothing.
/// </summary>
public sealed class EpisodeStatistics
{
    private readonly string[] _names;
    private readonly float[] _returns, _values;
    private readonly int[] _lengths;
    private int _next;

    /// <summary>Creates statistics that keep the last <paramref name="capacity"/> episodes.</summary>
    /// <param name="capacity">Episodes kept, at least 1.</param>
    /// <param name="valueNames">Names of the custom values (e.g. "goals", "distance"); distinct and non-empty.</param>
    public EpisodeStatistics(int capacity, params string[] valueNames)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must be at least 1.");
        if (valueNames is null) throw new ArgumentNullException(nameof(valueNames));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in valueNames)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("A value name is null or empty.", nameof(valueNames));
            if (!seen.Add(name)) throw new ArgumentException($"The value name '{name}' appears twice.", nameof(valueNames));
        }
        _names = (string[])valueNames.Clone();
        Capacity = capacity;
        _returns = new float[capacity];
        _lengths = new int[capacity];
        _values = new float[capacity * _names.Length];
    }

    /// <summary>Episodes kept.</summary>
    public int Capacity { get; }

    /// <summary>Episodes kept now (at most <see cref="Capacity"/>).</summary>
    public int Count { get; private set; }

    /// <summary>Episodes recorded since creation (or <see cref="Clear"/>).</summary>
    public long TotalEpisodes { get; private set; }

    /// <summary>Custom values per episode.</summary>
    public int ValueCount => _names.Length;

    /// <summary>The custom values' names, in index order.</summary>
    public IReadOnlyList<string> ValueNames => _names;

    /// <summary>The index of custom value <paramref name="name"/>, or −1.</summary>
    /// <param name="name">A name given at construction.</param>
    public int IndexOf(string name) => Array.IndexOf(_names, name);

    /// <summary>The return of kept episode <paramref name="episode"/> (0 = the oldest kept, Count − 1 = the newest).</summary>
    /// <param name="episode">0 ≤ episode &lt; Count.</param>
    public float Return(int episode) => _returns[Slot(episode)];

    /// <summary>The length (decisions) of kept episode <paramref name="episode"/>.</summary>
    /// <param name="episode">0 ≤ episode &lt; Count.</param>
    public int Length(int episode) => _lengths[Slot(episode)];

    /// <summary>Custom value <paramref name="value"/> of kept episode <paramref name="episode"/>.</summary>
    /// <param name="episode">0 ≤ episode &lt; Count.</param>
    /// <param name="value">0 ≤ value &lt; ValueCount.</param>
    public float Value(int episode, int value)
    {
        if ((uint)value >= (uint)_names.Length) throw new ArgumentOutOfRangeException(nameof(value), value, $"value must be below {_names.Length}.");
        return _values[Slot(episode) * _names.Length + value];
    }

    /// <summary>Mean return of the last <paramref name="episodes"/> kept episodes (fewer when fewer are kept; NaN when none).</summary>
    /// <param name="episodes">At least 1.</param>
    public double MeanReturn(int episodes) => Mean(episodes, -2);

    /// <summary>Mean length of the last <paramref name="episodes"/> kept episodes (NaN when none).</summary>
    /// <param name="episodes">At least 1.</param>
    public double MeanLength(int episodes) => Mean(episodes, -1);

    /// <summary>Mean of custom value <paramref name="value"/> over the last <paramref name="episodes"/> kept episodes (NaN when none).</summary>
    /// <param name="value">0 ≤ value &lt; ValueCount.</param>
    /// <param name="episodes">At least 1.</param>
    public double MeanValue(int value, int episodes)
    {
        if ((uint)value >= (uint)_names.Length) throw new ArgumentOutOfRangeException(nameof(value), value, $"value must be below {_names.Length}.");
        return Mean(episodes, value);
    }

    /// <summary>Forgets every episode.</summary>
    public void Clear()
    {
        Count = 0;
        _next = 0;
        TotalEpisodes = 0;
    }

    /// <summary>Appends an episode (the oldest kept one is dropped when full).</summary>
    /// <param name="episodeReturn">The episode's return.</param>
    /// <param name="length">Its length in decisions.</param>
    /// <param name="values">Its custom values: ValueCount of them (missing ones are 0, extra ones ignored).</param>
    public void Add(float episodeReturn, int length, ReadOnlySpan<float> values)
    {
        int k = _names.Length, slot = _next;
        _returns[slot] = episodeReturn;
        _lengths[slot] = length;
        Span<float> row = _values.AsSpan(slot * k, k);
        row.Clear();
        values.Slice(0, Math.Min(k, values.Length)).CopyTo(row);
        _next = (_next + 1) % Capacity;
        if (Count < Capacity) Count++;
        TotalEpisodes++;
    }

    private int Slot(int episode)
    {
        if ((uint)episode >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(episode), episode, $"episode must be below {Count}, the episodes kept.");
        return (_next - Count + episode + Capacity) % Capacity;
    }

    private double Mean(int episodes, int value)
    {
        if (episodes < 1) throw new ArgumentOutOfRangeException(nameof(episodes), episodes, "episodes must be at least 1.");
        int n = Math.Min(episodes, Count);
        if (n == 0) return double.NaN;
        double sum = 0;
        for (int e = Count - n; e < Count; e++)
        {
            int slot = Slot(e);
            sum += value == -2 ? _returns[slot] : value == -1 ? _lengths[slot] : _values[slot * _names.Length + value];
        }
        return sum / n;
    }
}
