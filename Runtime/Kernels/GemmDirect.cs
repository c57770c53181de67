using System.Numerics;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace Cortex.Kernels;

/// <summary>
/// Small products straight from the operands, without packing: batch-1 inference and other shapes
/// where copying panels would cost more than the arithmetic. Always runs on the calling thread.
/// </summary>
internal static unsafe class GemmDirect
{
    /// <summary>At or below this m·n·k the direct loops beat packing whatever the shape.</summary>
    private const long MaxWork = 8192;

    /// <summary>Up to this many rows of c the product is matrix-vector-like: direct loops read b once per row and waste nothing on padding.</summary>
    internal const int MaxRows = 4;

    /// <summary>Whether the product (m, n, k) takes the direct path. Depends on the shape alone, never on threads.</summary>
    public static bool Prefers(int m, int n, int k, bool transposeA, bool transposeB) =>
        (long)m * n * k <= MaxWork
        || (m <= MaxRows && !(transposeA && transposeB))
        || (transposeB && !transposeA && n <= 8 && k >= 16 && m < GemmTransposed.MinRows); // a few long dot products per row: packing would pad n to a whole panel

    /// <summary>c (m, n) = or += op(a) · op(b); see <see cref="Gemm"/>. m, n, k are positive.</summary>
    [MethodImpl(JitHints.HotLoop)]
    public static void Run(GemmIsa isa, float* c, float* a, float* b, int m, int n, int k,
        bool transposeA, bool transposeB, bool accumulate)
    {
        switch (isa)
        {
#if NET8_0_OR_GREATER
            // Rows narrower than a 512-bit register are better served by 256-bit ones.
            case GemmIsa.Avx512 when transposeB || n >= Vector512<float>.Count: Run<Simd512, Vector512<float>>(c, a, b, m, n, k, transposeA, transposeB, accumulate); break;
            case GemmIsa.Avx512:
            case GemmIsa.Avx2: Run<Simd256, Vector256<float>>(c, a, b, m, n, k, transposeA, transposeB, accumulate); break;
#endif
            case GemmIsa.Vector: Run<SimdVector, Vector<float>>(c, a, b, m, n, k, transposeA, transposeB, accumulate); break;
            default: Run<SimdScalar, float>(c, a, b, m, n, k, transposeA, transposeB, accumulate); break;
        }
    }

    [MethodImpl(JitHints.HotLoop)]
    private static void Run<TS, TV>(float* c, float* a, float* b, int m, int n, int k,
        bool transposeA, bool transposeB, bool accumulate)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        if (!transposeB)
            RowsOfB<TS, TV>(c, a, b, m, n, k, transposeA, accumulate);
        else if (!transposeA)
            Dots<TS, TV>(c, a, b, m, n, k, accumulate);
        else
            ColumnsOfA<TS, TV>(c, a, b, m, n, k, accumulate);
    }

    /// <summary>NN and TN: c[i, :] = Σ_p op(a)[i, p] · b[p, :], vectorised along n.</summary>
    [MethodImpl(JitHints.HotLoop)]
    private static void RowsOfB<TS, TV>(float* c, float* a, float* b, int m, int n, int k, bool transposeA, bool accumulate)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TS s = default;
        int w = s.Count;
        nint rowStep = transposeA ? 1 : k, kStep = transposeA ? m : 1;
        int whole = n - n % w;
        // A ragged end is one more register over the last w columns, overlapping the previous one: its
        // overlapping lanes repeat exactly the same operations, so they store the same values.
        bool overlapEnd = whole != n && n >= w;
        float* tail = stackalloc float[w];
        for (int i = 0; i < m; i++)
        {
            float* ai = a + i * rowStep;
            float* ci = c + (nint)i * n;
            TV endC = overlapEnd && accumulate ? s.Load(ci + n - w) : s.Zero;
            int j = 0;
            for (; j + 4 * w <= whole; j += 4 * w)
            {
                TV s0 = s.Zero, s1 = s.Zero, s2 = s.Zero, s3 = s.Zero;
                float* bp = b + j;
                float* ap = ai;
                for (int p = 0; p < k; p++, bp += n, ap += kStep)
                {
                    TV av = s.Broadcast(ap);
                    s0 = s.MultiplyAdd(av, s.Load(bp), s0);
                    s1 = s.MultiplyAdd(av, s.Load(bp + w), s1);
                    s2 = s.MultiplyAdd(av, s.Load(bp + 2 * w), s2);
                    s3 = s.MultiplyAdd(av, s.Load(bp + 3 * w), s3);
                }
                if (accumulate)
                {
                    s0 = s.Add(s.Load(ci + j), s0);
                    s1 = s.Add(s.Load(ci + j + w), s1);
                    s2 = s.Add(s.Load(ci + j + 2 * w), s2);
                    s3 = s.Add(s.Load(ci + j + 3 * w), s3);
                }
                s.Store(ci + j, s0);
                s.Store(ci + j + w, s1);
                s.Store(ci + j + 2 * w, s2);
                s.Store(ci + j + 3 * w, s3);
            }
            for (; j < whole || (overlapEnd && j < n); j += w)
            {
                if (j > n - w) j = n - w;
                TV s0 = s.Zero;
                float* bp = b + j;
                float* ap = ai;
                for (int p = 0; p < k; p++, bp += n, ap += kStep) s0 = s.MultiplyAdd(s.Broadcast(ap), s.Load(bp), s0);
                if (accumulate) s0 = s.Add(j == n - w && overlapEnd ? endC : s.Load(ci + j), s0);
                s.Store(ci + j, s0);
            }
            if (n < w)
            {
                // Narrower than one register: one running sum per column, all advanced together over p.
                for (int q = 0; q < n; q++) tail[q] = 0f;
                float* bp = b;
                float* ap = ai;
                for (int p = 0; p < k; p++, bp += n, ap += kStep)
                {
                    float av = *ap;
                    for (int q = 0; q < n; q++) tail[q] += av * bp[q];
                }
                for (int q = 0; q < n; q++) ci[q] = accumulate ? ci[q] + tail[q] : tail[q];
            }
        }
    }

    /// <summary>NT: c[i, j] = a[i, :] · b[j, :], both rows contiguous; vectorised along k, four columns at a time.</summary>
    [MethodImpl(JitHints.HotLoop)]
    private static void Dots<TS, TV>(float* c, float* a, float* b, int m, int n, int k, bool accumulate)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TS s = default;
        int w = s.Count;
        int kv = k - k % w;
        float* sums = stackalloc float[4];
        for (int i = 0; i < m; i++)
        {
            float* ai = a + (nint)i * k;
            float* ci = c + (nint)i * n;
            int j = 0;
            for (; j + 4 <= n; j += 4)
            {
                float* b0 = b + (nint)j * k;
                float* b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
                TV s0 = s.Zero, s1 = s.Zero, s2 = s.Zero, s3 = s.Zero;
                for (int p = 0; p < kv; p += w)
                {
                    TV av = s.Load(ai + p);
                    s0 = s.MultiplyAdd(av, s.Load(b0 + p), s0);
                    s1 = s.MultiplyAdd(av, s.Load(b1 + p), s1);
                    s2 = s.MultiplyAdd(av, s.Load(b2 + p), s2);
                    s3 = s.MultiplyAdd(av, s.Load(b3 + p), s3);
                }
                s.Sum4(s0, s1, s2, s3, sums);
                float d0 = sums[0], d1 = sums[1], d2 = sums[2], d3 = sums[3];
                for (int p = kv; p < k; p++)
                {
                    float av = ai[p];
                    d0 += av * b0[p];
                    d1 += av * b1[p];
                    d2 += av * b2[p];
                    d3 += av * b3[p];
                }
                if (accumulate)
                {
                    d0 += ci[j];
                    d1 += ci[j + 1];
                    d2 += ci[j + 2];
                    d3 += ci[j + 3];
                }
                ci[j] = d0;
                ci[j + 1] = d1;
                ci[j + 2] = d2;
                ci[j + 3] = d3;
            }
            for (; j < n; j++)
            {
                float* b0 = b + (nint)j * k;
                TV s0 = s.Zero;
                for (int p = 0; p < kv; p += w) s0 = s.MultiplyAdd(s.Load(ai + p), s.Load(b0 + p), s0);
                float d0 = s.Sum(s0);
                for (int p = kv; p < k; p++) d0 += ai[p] * b0[p];
                ci[j] = accumulate ? ci[j] + d0 : d0;
            }
        }
    }

    /// <summary>TT: c[:, j] = Σ_p a[p, :] · b[j, p], vectorised along m, written back a column at a time.</summary>
    [MethodImpl(JitHints.HotLoop)]
    private static void ColumnsOfA<TS, TV>(float* c, float* a, float* b, int m, int n, int k, bool accumulate)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TS s = default;
        int w = s.Count;
        float* lanes = stackalloc float[64];
        for (int j = 0; j < n; j++)
        {
            float* bj = b + (nint)j * k;
            int i = 0;
            for (; i + w <= m; i += w)
            {
                TV s0 = s.Zero;
                float* ap = a + i;
                for (int p = 0; p < k; p++, ap += m) s0 = s.MultiplyAdd(s.Load(ap), s.Broadcast(bj + p), s0);
                s.Store(lanes, s0);
                float* cij = c + (nint)i * n + j;
                for (int t = 0; t < w; t++, cij += n) *cij = accumulate ? *cij + lanes[t] : lanes[t];
            }
            for (; i < m; i++)
            {
                float sum = 0f;
                float* ap = a + i;
                for (int p = 0; p < k; p++, ap += m) sum += *ap * bj[p];
                float* cij = c + (nint)i * n + j;
                *cij = accumulate ? *cij + sum : sum;
            }
        }
    }
}
