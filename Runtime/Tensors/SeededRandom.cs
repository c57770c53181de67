using System;

namespace Cortex;

/// <summary>
/// The one source of randomness in Cortex: xoshiro256** seeded through SplitMix64. Same seed, same
/// sequence on every platform; the state can be saved and restored so training resumes exactly.
/// </summary>
public sealed class SeededRandom
{
    /// <summary>Number of 64-bit words in the state.</summary>
    public const int StateLength = 4;

    private ulong _s0, _s1, _s2, _s3;
    private float _spareGaussian;
    private bool _hasSpare;

    /// <summary>Creates a generator from a seed.</summary>
    /// <param name="seed">Any value; equal seeds give equal sequences.</param>
    public SeededRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    /// <param name="min">Lower bound.</param>
    /// <param name="max">Upper bound.</param>
    public float NextFloat(float min, float max) => min + (max - min) * NextFloat();

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    /// <param name="maxExclusive">Upper bound, at least 1.</param>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive < 1) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "maxExclusive must be at least 1.");
        ulong bound = (ulong)maxExclusive;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            if (r >= threshold) return (int)(r % bound);
        }
    }

    /// <summary>Standard normal (mean 0, variance 1), by the Box–Muller transform.</summary>
    public float NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1)), angle = 2.0 * Math.PI * u2;
        _spareGaussian = (float)(radius * Math.Sin(angle));
        _hasSpare = true;
        return (float)(radius * Math.Cos(angle));
    }

    /// <summary>Writes the full state (4 words, plus the cached Gaussian as a fifth and a flag as a sixth) for saving.</summary>
    /// <param name="destination">At least 6 words.</param>
    public void GetState(Span<ulong> destination)
    {
        if (destination.Length < StateLength + 2) throw new ArgumentException($"destination holds {destination.Length} words but {StateLength + 2} are needed.", nameof(destination));
        destination[0] = _s0; destination[1] = _s1; destination[2] = _s2; destination[3] = _s3;
        destination[4] = (ulong)BitConverter.SingleToInt32Bits(_spareGaussian) & 0xFFFFFFFFUL;
        destination[5] = _hasSpare ? 1UL : 0UL;
    }

    /// <summary>Restores a state written by <see cref="GetState"/>.</summary>
    /// <param name="source">6 words.</param>
    public void SetState(ReadOnlySpan<ulong> source)
    {
        if (source.Length < StateLength + 2) throw new ArgumentException($"source holds {source.Length} words but {StateLength + 2} are needed.", nameof(source));
        if ((source[0] | source[1] | source[2] | source[3]) == 0) throw new ArgumentException("An all-zero xoshiro state is invalid.", nameof(source));
        if (source[5] > 1) throw new ArgumentException("The Gaussian flag of the state must be 0 or 1.", nameof(source));
        _s0 = source[0]; _s1 = source[1]; _s2 = source[2]; _s3 = source[3];
        _spareGaussian = BitConverter.Int32BitsToSingle((int)(uint)source[4]);
        _hasSpare = source[5] == 1;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
