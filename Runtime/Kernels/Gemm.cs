using System;
using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>
/// Single-precision matrix multiply (SGEMM) for row-major matrices, covering every transpose the
/// forward and backward passes need. <see cref="GemmNaive"/> is its reference.
/// </summary>
/// <remarks>
/// <para>Small products (batch-1 inference, m ≤ 4 rows, a few long dot products) run straight from the
/// operands on the calling thread. Larger ones are packed into cache-sized panels and computed by a
/// register-tiled micro-kernel (AVX-512, AVX2 + FMA, or System.Numerics.Vector / scalar where
/// intrinsics are unavailable), split over the pool's threads when big enough.</para>
/// <para>Results are bitwise identical for any thread count (the path and the summation order depend
/// on the shape alone). Steady-state calls allocate nothing: packing buffers are per thread and only
/// grow. Calls from several threads at once are safe; a pool already busy with another caller's
/// product runs this one on the calling thread.</para>
/// </remarks>
public static class Gemm
{
    /// <summary>
    /// c (m, n) = op(a) (m, k) · op(b) (k, n), or c += … when <paramref name="accumulate"/> is set.
    /// See <see cref="GemmNaive.Multiply"/> for the exact meaning of each argument. c must not overlap
    /// a or b.
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
    /// <exception cref="ArgumentException">A span is shorter than its shape needs.</exception>
    /// <exception cref="ArgumentOutOfRangeException">m, n or k is negative.</exception>
    public static void Multiply(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b,
        int m, int n, int k, bool transposeA, bool transposeB, bool accumulate) =>
        MultiplyOn(GemmIsas.Best, c, a, b, m, n, k, transposeA, transposeB, accumulate, null);

    /// <summary>The same product with large products split over <paramref name="pool"/> (null: the calling thread).</summary>
    internal static void Multiply(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b,
        int m, int n, int k, bool transposeA, bool transposeB, bool accumulate, WorkerPool? pool) =>
        MultiplyOn(GemmIsas.Best, c, a, b, m, n, k, transposeA, transposeB, accumulate, pool);

    /// <summary>The same product on a chosen instruction set (tests run every one).</summary>
    [MethodImpl(JitHints.HotLoop)]
    internal static unsafe void MultiplyOn(GemmIsa isa, Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b,
        int m, int n, int k, bool transposeA, bool transposeB, bool accumulate, WorkerPool? pool)
    {
        Validate(c, a, b, m, n, k);
        if (!GemmIsas.IsSupported(isa)) throw new ArgumentOutOfRangeException(nameof(isa), isa, "This instruction set is not available here.");
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) c.Slice(0, m * n).Clear();
            return;
        }

        fixed (float* pc = c)
        fixed (float* pa = a)
        fixed (float* pb = b)
        {
            if (GemmDirect.Prefers(m, n, k, transposeA, transposeB))
                GemmDirect.Run(isa, pc, pa, pb, m, n, k, transposeA, transposeB, accumulate);
            else if (GemmTransposed.Prefers(m, n, k, transposeA, transposeB))
                GemmTransposed.Run(isa, pc, pa, pb, m, n, k, accumulate, pool);
            else
                GemmBlocked.Run(isa, pc, pa, pb, m, n, k, transposeA, transposeB, accumulate, pool);
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the operand and both sizes when a shape does not fit.</summary>
    internal static void Validate(ReadOnlySpan<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k) =>
        Validate(c.Length, a.Length, b.Length, m, n, k);

    /// <summary><see cref="Validate(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int)"/> on operand lengths (any backend's buffers).</summary>
    internal static void Validate(long cLength, long aLength, long bLength, int m, int n, int k)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "m must be non-negative.");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be non-negative.");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be non-negative.");
        long needA = (long)m * k, needB = (long)k * n, needC = (long)m * n;
        if (aLength < needA) throw new ArgumentException($"a holds {aLength} values but m*k = {m}*{k} = {needA} are needed.", "a");
        if (bLength < needB) throw new ArgumentException($"b holds {bLength} values but k*n = {k}*{n} = {needB} are needed.", "b");
        if (cLength < needC) throw new ArgumentException($"c holds {cLength} values but m*n = {m}*{n} = {needC} are needed.", "c");
    }
}
