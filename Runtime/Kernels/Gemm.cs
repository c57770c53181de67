using System;

namespace Cortex.Kernels;

/// <summary>
/// Single-precision matrix multiply (SGEMM) for row-major matrices, covering every transpose the
/// forward and backward passes need. <see cref="GemmNaive"/> is its reference.
/// </summary>
public static class Gemm
{
    /// <summary>
    /// c (m, n) = op(a) (m, k) · op(b) (k, n), or c += … when <paramref name="accumulate"/> is set.
    /// See <see cref="GemmNaive.Multiply"/> for the exact meaning of each argument.
    /// </summary>
    /// <param name="c">Output, (m, n), row-major.</param>
    /// <param name="a">Left operand: (m, k), or (k, m) when transposed.</param>
    /// <param name="b">Right operand: (k, n), or (n, k) when transposed.</param>
    /// <param name="m">Rows of c.</param>
    /// <param name="n">Columns of c.</param>
    /// <param name="k">The shared (reduced) dimension.</param>
    /// <param name="transposeA">Use aᵀ.</param>
    /// <param name="transposeB">Use bᵀ.</param>
    /// <param name="accumulate">Add into c instead of overwriting it.</param>
    /// <param name="pool">Workers to split large products over; null runs on the calling thread.</param>
    public static void Multiply(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b,
        int m, int n, int k, bool transposeA, bool transposeB, bool accumulate, WorkerPool? pool = null)
    {
        _ = pool;
        GemmNaive.Multiply(c, a, b, m, n, k, transposeA, transposeB, accumulate);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the operand and both sizes when a shape does not fit.</summary>
    internal static void Validate(ReadOnlySpan<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "m must be non-negative.");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be non-negative.");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be non-negative.");
        long needA = (long)m * k, needB = (long)k * n, needC = (long)m * n;
        if (a.Length < needA) throw new ArgumentException($"a holds {a.Length} values but m*k = {m}*{k} = {needA} are needed.", nameof(a));
        if (b.Length < needB) throw new ArgumentException($"b holds {b.Length} values but k*n = {k}*{n} = {needB} are needed.", nameof(b));
        if (c.Length < needC) throw new ArgumentException($"c holds {c.Length} values but m*n = {m}*{n} = {needC} are needed.", nameof(c));
    }
}
