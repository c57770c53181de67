using System;
using Cortex.Realtime;

namespace Cortex.Learning;

/// <summary>
/// Per-feature running mean and variance (Welford, in double) that standardises observations:
/// x′ = clamp((x − μ) / √(σ² + ε), ±clip). Its state is a few arrays, saved with a brain.
/// </summary>
public sealed class RunningNormalizer
{
    private readonly double[] _mean, _m2;

    /// <summary>Creates a normaliser for <paramref name="size"/> features.</summary>
    /// <param name="size">Features, at least 1.</param>
    /// <param name="clip">Standardised values are clamped to ±clip.</param>
    /// <param name="epsilon">Added to the variance.</param>
    public RunningNormalizer(int size, float clip = 10f, float epsilon = 1e-8f)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "size must be at least 1.");
        if (!(clip > 0f)) throw new ArgumentOutOfRangeException(nameof(clip), clip, "clip must be positive.");
        if (!(epsilon > 0f)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive.");
        Size = size;
        Clip = clip;
        Epsilon = epsilon;
        _mean = new double[size];
        _m2 = new double[size];
    }

    /// <summary>Features per observation.</summary>
    public int Size { get; }

    /// <summary>Clamp bound of standardised values.</summary>
    public float Clip { get; }

    /// <summary>Added to the variance.</summary>
    public float Epsilon { get; }

    /// <summary>Observations seen.</summary>
    public long Count { get; private set; }

    /// <summary>When true, <see cref="Update"/> does nothing (e.g. while evaluating a shipped brain).</summary>
    public bool Frozen { get; set; }

    /// <summary>Running mean of feature <paramref name="i"/>.</summary>
    /// <param name="i">Feature index.</param>
    public double Mean(int i) => _mean[i];

    /// <summary>Running (population) variance of feature <paramref name="i"/>.</summary>
    /// <param name="i">Feature index.</param>
    public double Variance(int i) => Count > 0 ? _m2[i] / Count : 1.0;

    /// <summary>Folds <paramref name="rows"/> observations into the statistics (skipped when frozen or any value is not finite).</summary>
    /// <param name="observations">(rows, Size).</param>
    /// <param name="rows">Rows.</param>
    public void Update(ReadOnlySpan<float> observations, int rows = 1)
    {
        CheckRows(observations.Length, rows);
        if (Frozen) return;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> x = observations.Slice(r * Size, Size);
            if (!Columns.AllFinite(x)) continue;
            Count++;
            for (int i = 0; i < Size; i++)
            {
                double delta = x[i] - _mean[i];
                _mean[i] += delta / Count;
                _m2[i] += delta * (x[i] - _mean[i]);
            }
        }
    }

    /// <summary>Writes standardised observations (may be the same memory as the input).</summary>
    /// <param name="destination">(rows, Size).</param>
    /// <param name="observations">(rows, Size).</param>
    /// <param name="rows">Rows.</param>
    public void Normalize(Span<float> destination, ReadOnlySpan<float> observations, int rows = 1)
    {
        CheckRows(observations.Length, rows);
        if (destination.Length < rows * Size) throw new ArgumentException($"destination holds {destination.Length} values but rows*Size = {rows}*{Size} = {rows * Size} are needed.", nameof(destination));
        for (int i = 0; i < Size; i++)
        {
            float mean = (float)_mean[i], inv = (float)(1.0 / Math.Sqrt(Variance(i) + Epsilon));
            for (int r = 0; r < rows; r++)
            {
                float v = (observations[r * Size + i] - mean) * inv;
                destination[r * Size + i] = v > Clip ? Clip : v < -Clip ? -Clip : v;
            }
        }
    }

    /// <summary>Copies the state (count, means, M2 sums) as 1 + 2·Size doubles, for saving.</summary>
    /// <param name="destination">At least 1 + 2·Size values.</param>
    public void GetState(Span<double> destination)
    {
        if (destination.Length < 1 + 2 * Size) throw new ArgumentException($"destination holds {destination.Length} values but {1 + 2 * Size} are needed.", nameof(destination));
        destination[0] = Count;
        _mean.AsSpan().CopyTo(destination.Slice(1, Size));
        _m2.AsSpan().CopyTo(destination.Slice(1 + Size, Size));
    }

    /// <summary>Restores a state written by <see cref="GetState"/>.</summary>
    /// <param name="source">1 + 2·Size values.</param>
    public void SetState(ReadOnlySpan<double> source)
    {
        if (source.Length != 1 + 2 * Size) throw new ArgumentException($"source holds {source.Length} values but {1 + 2 * Size} are needed.", nameof(source));
        if (!(source[0] >= 0) || source[0] > long.MaxValue) throw new ArgumentException("The stored count is invalid.", nameof(source));
        for (int i = 1; i < source.Length; i++)
        {
            if (double.IsNaN(source[i]) || double.IsInfinity(source[i]) || (i > Size && source[i] < 0)) throw new ArgumentException($"Stored value {i} ({source[i]}) is invalid.", nameof(source));
        }
        Count = (long)source[0];
        source.Slice(1, Size).CopyTo(_mean);
        source.Slice(1 + Size, Size).CopyTo(_m2);
    }

    /// <summary>The section name <see cref="SaveTo"/> uses by default.</summary>
    public const string DefaultSection = "observation-normalizer";

    /// <summary>
    /// Stores the statistics in one of the brain's <see cref="Brain.Sections"/> — [count, means…, M2 sums…]
    /// as floats — so they are saved in its brain file and travel with it.
    /// </summary>
    /// <param name="brain">The brain the normaliser feeds.</param>
    /// <param name="section">Section name.</param>
    public void SaveTo(Brain brain, string section = DefaultSection)
    {
        if (brain is null) throw new ArgumentNullException(nameof(brain));
        float[] data = new float[1 + 2 * Size];
        data[0] = Count;
        for (int i = 0; i < Size; i++)
        {
            data[1 + i] = (float)_mean[i];
            data[1 + Size + i] = (float)_m2[i];
        }
        brain.Sections[section] = data;
    }

    /// <summary>Restores statistics stored by <see cref="SaveTo"/>; returns false when the brain has no such section.</summary>
    /// <param name="brain">A brain (e.g. just loaded from a file).</param>
    /// <param name="section">Section name.</param>
    public bool LoadFrom(Brain brain, string section = DefaultSection)
    {
        if (brain is null) throw new ArgumentNullException(nameof(brain));
        if (!brain.Sections.TryGetValue(section, out float[]? data)) return false;
        if (data.Length != 1 + 2 * Size) throw new ArgumentException($"Section '{section}' holds {data.Length} values but a normaliser of {Size} features needs {1 + 2 * Size}.", nameof(brain));
        double[] state = new double[data.Length];
        for (int i = 0; i < data.Length; i++) state[i] = data[i];
        SetState(state);
        return true;
    }

    private void CheckRows(int length, int rows)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be non-negative.");
        if (length < rows * Size) throw new ArgumentException($"observations holds {length} values but rows*Size = {rows}*{Size} = {rows * Size} are needed.", "observations");
    }
}
