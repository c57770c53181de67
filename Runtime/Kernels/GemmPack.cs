using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#endif

namespace Cortex.Kernels;

/// <summary>
/// Copies op(a) and op(b) into the panel layouts <see cref="GemmMicroKernel"/> reads, so one
/// micro-kernel serves all four transpose combinations. Edge panels are padded with zeros; the
/// padded rows and columns are computed but never written back.
/// </summary>
internal static unsafe class GemmPack
{
    /// <summary>
    /// Packs op(a) rows [r0, r0 + rows) × k range [p0, p0 + kc) as ⌈rows / mr⌉ panels of (kc, mr):
    /// panel q holds op(a)[r0 + q·mr + i, p0 + p] at q·mr·kc + p·mr + i.
    /// </summary>
    /// <param name="dst">Destination, ⌈rows / mr⌉·mr·kc floats.</param>
    /// <param name="a">a as stored: (m, k), or (k, m) when <paramref name="transposeA"/>.</param>
    /// <param name="m">Rows of op(a).</param>
    /// <param name="k">Columns of op(a).</param>
    /// <param name="transposeA">a is stored (k, m).</param>
    /// <param name="r0">First row.</param>
    /// <param name="rows">Rows to pack (rows past m are zero-filled).</param>
    /// <param name="p0">First k index.</param>
    /// <param name="kc">k indices to pack.</param>
    /// <param name="mr">Panel height.</param>
    [MethodImpl(JitHints.HotLoop)]
    public static void PackA(float* dst, float* a, int m, int k, bool transposeA, int r0, int rows, int p0, int kc, int mr)
    {
#if NET8_0_OR_GREATER
        if (transposeA && mr == 8 && Avx.IsSupported && rows >= 16)
        {
            // op(a)[i, p] = a[p, i]: two panels at a time, so each k step reads a whole 64-byte run.
            int pairs = Math.Min(rows, m - r0) / 16;
            for (int q = 0; q < pairs; q++)
            {
                float* s = a + (nint)p0 * m + r0 + q * 16;
                float* d0 = dst + (nint)q * 16 * kc, d1 = d0 + 8 * kc;
                for (int p = 0; p < kc; p++, s += m)
                {
                    Vector256.Store(Vector256.Load(s), d0 + p * 8);
                    Vector256.Store(Vector256.Load(s + 8), d1 + p * 8);
                }
            }
            if (pairs * 16 >= rows) return;
            dst += (nint)pairs * 16 * kc;
            r0 += pairs * 16;
            rows -= pairs * 16;
        }
#endif
        for (int q = 0; q * mr < rows; q++)
        {
            int i0 = r0 + q * mr;
            int valid = m - i0 < mr ? m - i0 : mr;
            float* d = dst + (nint)q * mr * kc;
#if NET8_0_OR_GREATER
            if (mr == 8 && valid == 8 && Avx.IsSupported)
            {
                if (transposeA)
                {
                    float* s8 = a + (nint)p0 * m + i0;
                    for (int p = 0; p < kc; p++, s8 += m) Vector256.Store(Vector256.Load(s8), d + p * 8);
                }
                else
                {
                    PackRows8(d, a + (nint)i0 * k + p0, k, kc);
                }
                continue;
            }
#endif
            if (transposeA)
            {
                // op(a)[i, p] = a[p, i]: each k step is a contiguous run of the panel's rows.
                float* s = a + (nint)p0 * m + i0;
                for (int p = 0; p < kc; p++, s += m, d += mr)
                {
                    int i = 0;
                    for (; i < valid; i++) d[i] = s[i];
                    for (; i < mr; i++) d[i] = 0f;
                }
            }
            else
            {
                // One source row at a time: contiguous reads, writes strided by mr inside a panel that stays in L1.
                for (int i = 0; i < valid; i++)
                {
                    float* s = a + (nint)(i0 + i) * k + p0;
                    float* di = d + i;
                    for (int p = 0; p < kc; p++) di[p * mr] = s[p];
                }
                for (int i = valid; i < mr; i++)
                {
                    float* di = d + i;
                    for (int p = 0; p < kc; p++) di[p * mr] = 0f;
                }
            }
        }
    }

    /// <summary>
    /// Packs op(b) columns [j0, j0 + nr) over the whole k range as one panel of (k, nr):
    /// op(b)[p, j0 + j] lands at p·nr + j.
    /// </summary>
    /// <param name="dst">Destination, k·nr floats.</param>
    /// <param name="b">b as stored: (k, n), or (n, k) when <paramref name="transposeB"/>.</param>
    /// <param name="n">Columns of op(b).</param>
    /// <param name="k">Rows of op(b).</param>
    /// <param name="transposeB">b is stored (n, k).</param>
    /// <param name="j0">First column.</param>
    /// <param name="nr">Panel width (columns past n are zero-filled).</param>
    [MethodImpl(JitHints.HotLoop)]
    public static void PackB(float* dst, float* b, int n, int k, bool transposeB, int j0, int nr)
    {
        int valid = n - j0 < nr ? n - j0 : nr;
        int nrRest = nr;
        if (!transposeB)
        {
            float* s = b + j0;
            for (int p = 0; p < k; p++, s += n, dst += nr)
            {
                Unsafe.CopyBlockUnaligned(dst, s, (uint)valid * sizeof(float));
                if (valid < nr) Unsafe.InitBlockUnaligned(dst + valid, 0, (uint)(nr - valid) * sizeof(float));
            }
            return;
        }

#if NET8_0_OR_GREATER
        if (Avx.IsSupported && nr % 8 == 0)
        {
            // Whole groups of 8 columns go through 8 × 8 register transposes; the rest below.
            int groups = valid / 8;
            for (int g = 0; g < groups; g++)
                PackRows8(dst + g * 8, b + (nint)(j0 + g * 8) * k, k, k, nr);
            if (groups * 8 == nr) return;
            dst += groups * 8;
            j0 += groups * 8;
            valid -= groups * 8;
            nrRest = nr - groups * 8;
        }
#endif
        // op(b)[p, j] = b[j, p]: read rows of b, write columns of the panel, a k block at a time so
        // the written part of the panel stays in L1.
        const int KBlock = 64;
        for (int pb = 0; pb < k; pb += KBlock)
        {
            int pe = pb + KBlock < k ? pb + KBlock : k;
            for (int j = 0; j < valid; j++)
            {
                float* s = b + (nint)(j0 + j) * k;
                float* d = dst + j;
                for (int p = pb; p < pe; p++) d[(nint)p * nr] = s[p];
            }
            for (int j = valid; j < nrRest; j++)
            {
                float* d = dst + j;
                for (int p = pb; p < pe; p++) d[(nint)p * nr] = 0f;
            }
        }
    }

#if NET8_0_OR_GREATER
    /// <summary>
    /// Transposes 8 source rows (stride <paramref name="ld"/>) × kc columns into kc runs of 8 floats,
    /// run p at dst + p·<paramref name="dstStride"/>: 8 × 8 blocks through registers, then a scalar tail.
    /// </summary>
    [MethodImpl(JitHints.HotLoop)]
    private static void PackRows8(float* dst, float* src, nint ld, int kc, int dstStride = 8)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            float* s = src + p;
            Vector256<float> r0 = Vector256.Load(s), r1 = Vector256.Load(s + ld);
            Vector256<float> r2 = Vector256.Load(s + 2 * ld), r3 = Vector256.Load(s + 3 * ld);
            Vector256<float> r4 = Vector256.Load(s + 4 * ld), r5 = Vector256.Load(s + 5 * ld);
            Vector256<float> r6 = Vector256.Load(s + 6 * ld), r7 = Vector256.Load(s + 7 * ld);
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
            float* d = dst + (nint)p * dstStride;
            Vector256.Store(Avx.Permute2x128(u0, u4, 0x20), d);
            Vector256.Store(Avx.Permute2x128(u1, u5, 0x20), d + dstStride);
            Vector256.Store(Avx.Permute2x128(u2, u6, 0x20), d + 2 * dstStride);
            Vector256.Store(Avx.Permute2x128(u3, u7, 0x20), d + 3 * dstStride);
            Vector256.Store(Avx.Permute2x128(u0, u4, 0x31), d + 4 * dstStride);
            Vector256.Store(Avx.Permute2x128(u1, u5, 0x31), d + 5 * dstStride);
            Vector256.Store(Avx.Permute2x128(u2, u6, 0x31), d + 6 * dstStride);
            Vector256.Store(Avx.Permute2x128(u3, u7, 0x31), d + 7 * dstStride);
        }
        for (; p < kc; p++)
        {
            float* d = dst + (nint)p * dstStride;
            for (int i = 0; i < 8; i++) d[i] = src[i * ld + p];
        }
    }
#endif
}
