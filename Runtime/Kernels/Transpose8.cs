using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#endif

namespace Cortex.Kernels;

/// <summary>Matrix transposes through 8 × 8 register blocks where AVX is there, the rest (everything without AVX) element by element: pure data movement, and one add per element when accumulating.</summary>
internal static unsafe class Transpose8
{
    /// <summary>dst[i, j] = (or +=) src[j, i] for i &lt; rows, j &lt; cols.</summary>
    /// <param name="dst">Destination, (rows, ≥ cols), row stride <paramref name="dstStride"/>.</param>
    /// <param name="dstStride">Floats per destination row.</param>
    /// <param name="src">Source, (cols, ≥ rows), row stride <paramref name="srcStride"/>.</param>
    /// <param name="srcStride">Floats per source row.</param>
    /// <param name="rows">Rows of dst (columns of src).</param>
    /// <param name="cols">Columns of dst (rows of src).</param>
    /// <param name="add">Add into dst instead of overwriting it.</param>
    [MethodImpl(JitHints.HotLoop)]
    public static void Matrix(float* dst, nint dstStride, float* src, nint srcStride, int rows, int cols, bool add)
    {
        int r8 = 0, c8 = 0;
#if NET8_0_OR_GREATER
        if (Avx.IsSupported)
        {
            r8 = rows & ~7;
            c8 = cols & ~7;
            for (int i = 0; i < r8; i += 8)
                for (int j = 0; j < c8; j += 8)
                    Block(dst + i * dstStride + j, dstStride, src + j * srcStride + i, srcStride, add);
        }
#endif
        for (int i = 0; i < rows; i++)
        {
            float* di = dst + i * dstStride;
            for (int j = i < r8 ? c8 : 0; j < cols; j++) di[j] = add ? di[j] + src[j * srcStride + i] : src[j * srcStride + i];
        }
    }

#if NET8_0_OR_GREATER
    /// <summary>dst (8 × 8) = (or +=) src (8 × 8) transposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block(float* dst, nint dstStride, float* src, nint srcStride, bool add)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + srcStride),
            r2 = Avx.LoadVector256(src + 2 * srcStride), r3 = Avx.LoadVector256(src + 3 * srcStride),
            r4 = Avx.LoadVector256(src + 4 * srcStride), r5 = Avx.LoadVector256(src + 5 * srcStride),
            r6 = Avx.LoadVector256(src + 6 * srcStride), r7 = Avx.LoadVector256(src + 7 * srcStride);
        // Pairs of rows interleaved, then quads within each 128-bit half, then the halves swapped into place.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE), s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE), s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Put(dst, Avx.Permute2x128(s0, s4, 0x20), add);
        Put(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20), add);
        Put(dst + 2 * dstStride, Avx.Permute2x128(s2, s6, 0x20), add);
        Put(dst + 3 * dstStride, Avx.Permute2x128(s3, s7, 0x20), add);
        Put(dst + 4 * dstStride, Avx.Permute2x128(s0, s4, 0x31), add);
        Put(dst + 5 * dstStride, Avx.Permute2x128(s1, s5, 0x31), add);
        Put(dst + 6 * dstStride, Avx.Permute2x128(s2, s6, 0x31), add);
        Put(dst + 7 * dstStride, Avx.Permute2x128(s3, s7, 0x31), add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* p, Vector256<float> v, bool add) => Avx.Store(p, add ? Avx.Add(Avx.LoadVector256(p), v) : v);
#endif
}
