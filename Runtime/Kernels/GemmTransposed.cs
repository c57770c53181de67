using System;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#endif

namespace Cortex.Kernels;

/// <summary>
/// NT products with few columns and many rows — a narrow output layer, z = x·Wᵀ with W (n ≤ 8, k): packed as
/// they stand, n would fill a quarter of a 32-wide panel. Computed transposed instead, cᵀ (n, m) = W · xᵀ, where
/// the n rows of W are one register tile of rows and the m rows of x stream through whole panels, then cᵀ is
/// transposed into c. Same micro-kernel, same k slices, so the path still depends on the shape alone.
/// </summary>
internal static unsafe class GemmTransposed
{
    /// <summary>From this many rows of c the transposed product beats the direct dot products.</summary>
    public const int MinRows = 64;

    [ThreadStatic] private static float[]? _scratch;

    /// <summary>Whether the product takes this path: NT, n ≤ 8, k ≥ 16, m ≥ <see cref="MinRows"/>, and not already a direct one.</summary>
    public static bool Prefers(int m, int n, int k, bool transposeA, bool transposeB) =>
        transposeB && !transposeA && n <= 8 && k >= 16 && m >= MinRows;

    /// <summary>c (m, n) = or += a (m, k) · bᵀ, b stored (n, k). m, n, k are positive.</summary>
    [MethodImpl(JitHints.HotLoop)]
    public static void Run(GemmIsa isa, float* c, float* a, float* b, int m, int n, int k, bool accumulate, WorkerPool? pool)
    {
        float[] scratch = _scratch is { } s && s.Length >= m * n ? s : (_scratch = new float[Math.Max(m * n, 1024)]);
        fixed (float* t = scratch)
        {
            GemmBlocked.Run(isa, t, b, a, n, m, k, transposeA: false, transposeB: true, accumulate: false, pool);   // cᵀ = b · aᵀ
            // c[i, j] (+)= cᵀ[j, i]: the product was summed on its own, then added, as the blocked kernel does.
            int i = 0;
#if NET8_0_OR_GREATER
            if (n == 8 && Avx.IsSupported) i = TransposeEight(c, t, m, accumulate);
#endif
            for (; i < m; i++)
            {
                float* ci = c + (nint)i * n;
                float* ti = t + i;
                if (accumulate)
                    for (int j = 0; j < n; j++) ci[j] += ti[(nint)j * m];
                else
                    for (int j = 0; j < n; j++) ci[j] = ti[(nint)j * m];
            }
        }
    }

#if NET8_0_OR_GREATER
    /// <summary>
    /// c (m, 8) (+)= tᵀ for t (8, m), eight rows of c at a time by an 8 × 8 register transpose (pure data movement, and
    /// one add per element when accumulating: the values of the scalar loop). Returns the rows done (a multiple of 8).
    /// </summary>
    private static int TransposeEight(float* c, float* t, int m, bool accumulate)
    {
        int i0 = 0;
        for (; i0 + 8 <= m; i0 += 8)
        {
            float* ti = t + i0;
            Vector256<float> r0 = Avx.LoadVector256(ti), r1 = Avx.LoadVector256(ti + m), r2 = Avx.LoadVector256(ti + 2 * m),
                r3 = Avx.LoadVector256(ti + 3 * m), r4 = Avx.LoadVector256(ti + 4 * m), r5 = Avx.LoadVector256(ti + 5 * m),
                r6 = Avx.LoadVector256(ti + 6 * m), r7 = Avx.LoadVector256(ti + 7 * m);
            // Pairs, then quads of columns within each 128-bit half, then the halves: row i of c ends up in out_i.
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
            Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE), s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE), s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
            float* ci = c + (nint)i0 * 8;
            Put(ci, Avx.Permute2x128(s0, s4, 0x20), accumulate);
            Put(ci + 8, Avx.Permute2x128(s1, s5, 0x20), accumulate);
            Put(ci + 16, Avx.Permute2x128(s2, s6, 0x20), accumulate);
            Put(ci + 24, Avx.Permute2x128(s3, s7, 0x20), accumulate);
            Put(ci + 32, Avx.Permute2x128(s0, s4, 0x31), accumulate);
            Put(ci + 40, Avx.Permute2x128(s1, s5, 0x31), accumulate);
            Put(ci + 48, Avx.Permute2x128(s2, s6, 0x31), accumulate);
            Put(ci + 56, Avx.Permute2x128(s3, s7, 0x31), accumulate);
        }
        return i0;

        static void Put(float* p, Vector256<float> v, bool add) => Avx.Store(p, add ? Avx.Add(Avx.LoadVector256(p), v) : v);
    }
#endif
}
