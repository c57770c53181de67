using System.Runtime.CompilerServices;

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
    public static void PackA(float* dst, float* a, int m, int k, bool transposeA, int r0, int rows, int p0, int kc, int mr)
    {
        for (int q = 0; q * mr < rows; q++)
        {
            int i0 = r0 + q * mr;
            int valid = m - i0 < mr ? m - i0 : mr;
            float* d = dst + (nint)q * mr * kc;
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
    public static void PackB(float* dst, float* b, int n, int k, bool transposeB, int j0, int nr)
    {
        int valid = n - j0 < nr ? n - j0 : nr;
        if (!transposeB)
        {
            float* s = b + j0;
            for (int p = 0; p < k; p++, s += n, dst += nr)
            {
                Unsafe.CopyBlockUnaligned(dst, s, (uint)valid * sizeof(float));
                for (int j = valid; j < nr; j++) dst[j] = 0f;
            }
            return;
        }

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
            for (int j = valid; j < nr; j++)
            {
                float* d = dst + j;
                for (int p = pb; p < pe; p++) d[(nint)p * nr] = 0f;
            }
        }
    }
}
