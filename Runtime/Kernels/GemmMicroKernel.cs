using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>
/// Register-tiled GEMM micro-kernels: MR rows by two registers of columns, accumulated in registers
/// over a packed k range. a is an MR-row panel stored k-major (MR floats per k step), b a 2W-column
/// panel stored k-major (2W floats per k step); both come from <see cref="GemmPack"/>. Written once
/// against <see cref="ISimdOps{TV}"/>; the JIT emits one copy per instruction set. The loops hold no
/// calls, so every accumulator stays in a register (vector registers are not preserved across calls).
/// </summary>
internal static unsafe class GemmMicroKernel
{
    /// <summary>c (MR=6, 2W) = or += a panel (6 per k step) · b panel (2W per k step), W = lanes of <typeparamref name="TV"/>.</summary>
    [MethodImpl(JitHints.HotLoop)]
    public static void Tile6<TS, TV, TA>(int kc, float* a, TA rows, float* b, float* c, nint ldc, bool add)
        where TS : struct, ISimdOps<TV> where TV : struct where TA : struct, ITileRows
    {
        TS s = default;
        int w = s.Count;
        // c is read only after the loop; ask for its lines now (three per row in case c is not
        // 64-byte aligned) so they arrive while the loop runs.
        for (int i = 0; i < 6; i++)
        {
            s.Prefetch(c + i * ldc);
            s.Prefetch(c + i * ldc + w);
            s.Prefetch(c + i * ldc + 2 * w - 1);
        }
        TV c00 = s.Zero, c01 = s.Zero;
        TV c10 = s.Zero, c11 = s.Zero;
        TV c20 = s.Zero, c21 = s.Zero;
        TV c30 = s.Zero, c31 = s.Zero;
        TV c40 = s.Zero, c41 = s.Zero;
        TV c50 = s.Zero, c51 = s.Zero;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = s.Load(b), b1 = s.Load(b + w);
            TV a0 = s.Broadcast(a + rows.Offset(0));
            c00 = s.MultiplyAdd(a0, b0, c00); c01 = s.MultiplyAdd(a0, b1, c01);
            TV a1 = s.Broadcast(a + rows.Offset(1));
            c10 = s.MultiplyAdd(a1, b0, c10); c11 = s.MultiplyAdd(a1, b1, c11);
            TV a2 = s.Broadcast(a + rows.Offset(2));
            c20 = s.MultiplyAdd(a2, b0, c20); c21 = s.MultiplyAdd(a2, b1, c21);
            TV a3 = s.Broadcast(a + rows.Offset(3));
            c30 = s.MultiplyAdd(a3, b0, c30); c31 = s.MultiplyAdd(a3, b1, c31);
            TV a4 = s.Broadcast(a + rows.Offset(4));
            c40 = s.MultiplyAdd(a4, b0, c40); c41 = s.MultiplyAdd(a4, b1, c41);
            TV a5 = s.Broadcast(a + rows.Offset(5));
            c50 = s.MultiplyAdd(a5, b0, c50); c51 = s.MultiplyAdd(a5, b1, c51);
            a += rows.Step;
            b += 2 * w;
        }
        if (add)
        {
            float* r0 = c + 0 * ldc; s.Store(r0, s.Add(s.Load(r0), c00)); s.Store(r0 + w, s.Add(s.Load(r0 + w), c01));
            float* r1 = c + 1 * ldc; s.Store(r1, s.Add(s.Load(r1), c10)); s.Store(r1 + w, s.Add(s.Load(r1 + w), c11));
            float* r2 = c + 2 * ldc; s.Store(r2, s.Add(s.Load(r2), c20)); s.Store(r2 + w, s.Add(s.Load(r2 + w), c21));
            float* r3 = c + 3 * ldc; s.Store(r3, s.Add(s.Load(r3), c30)); s.Store(r3 + w, s.Add(s.Load(r3 + w), c31));
            float* r4 = c + 4 * ldc; s.Store(r4, s.Add(s.Load(r4), c40)); s.Store(r4 + w, s.Add(s.Load(r4 + w), c41));
            float* r5 = c + 5 * ldc; s.Store(r5, s.Add(s.Load(r5), c50)); s.Store(r5 + w, s.Add(s.Load(r5 + w), c51));
        }
        else
        {
            float* r0 = c + 0 * ldc; s.Store(r0, c00); s.Store(r0 + w, c01);
            float* r1 = c + 1 * ldc; s.Store(r1, c10); s.Store(r1 + w, c11);
            float* r2 = c + 2 * ldc; s.Store(r2, c20); s.Store(r2 + w, c21);
            float* r3 = c + 3 * ldc; s.Store(r3, c30); s.Store(r3 + w, c31);
            float* r4 = c + 4 * ldc; s.Store(r4, c40); s.Store(r4 + w, c41);
            float* r5 = c + 5 * ldc; s.Store(r5, c50); s.Store(r5 + w, c51);
        }
    }

    /// <summary>c (MR=8, 2W) = or += a panel (8 per k step) · b panel (2W per k step), W = lanes of <typeparamref name="TV"/>.</summary>
    [MethodImpl(JitHints.HotLoop)]
    public static void Tile8<TS, TV, TA>(int kc, float* a, TA rows, float* b, float* c, nint ldc, bool add)
        where TS : struct, ISimdOps<TV> where TV : struct where TA : struct, ITileRows
    {
        TS s = default;
        int w = s.Count;
        // c is read only after the loop; ask for its lines now (three per row in case c is not
        // 64-byte aligned) so they arrive while the loop runs.
        for (int i = 0; i < 8; i++)
        {
            s.Prefetch(c + i * ldc);
            s.Prefetch(c + i * ldc + w);
            s.Prefetch(c + i * ldc + 2 * w - 1);
        }
        TV c00 = s.Zero, c01 = s.Zero;
        TV c10 = s.Zero, c11 = s.Zero;
        TV c20 = s.Zero, c21 = s.Zero;
        TV c30 = s.Zero, c31 = s.Zero;
        TV c40 = s.Zero, c41 = s.Zero;
        TV c50 = s.Zero, c51 = s.Zero;
        TV c60 = s.Zero, c61 = s.Zero;
        TV c70 = s.Zero, c71 = s.Zero;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = s.Load(b), b1 = s.Load(b + w);
            TV a0 = s.Broadcast(a + rows.Offset(0));
            c00 = s.MultiplyAdd(a0, b0, c00); c01 = s.MultiplyAdd(a0, b1, c01);
            TV a1 = s.Broadcast(a + rows.Offset(1));
            c10 = s.MultiplyAdd(a1, b0, c10); c11 = s.MultiplyAdd(a1, b1, c11);
            TV a2 = s.Broadcast(a + rows.Offset(2));
            c20 = s.MultiplyAdd(a2, b0, c20); c21 = s.MultiplyAdd(a2, b1, c21);
            TV a3 = s.Broadcast(a + rows.Offset(3));
            c30 = s.MultiplyAdd(a3, b0, c30); c31 = s.MultiplyAdd(a3, b1, c31);
            TV a4 = s.Broadcast(a + rows.Offset(4));
            c40 = s.MultiplyAdd(a4, b0, c40); c41 = s.MultiplyAdd(a4, b1, c41);
            TV a5 = s.Broadcast(a + rows.Offset(5));
            c50 = s.MultiplyAdd(a5, b0, c50); c51 = s.MultiplyAdd(a5, b1, c51);
            TV a6 = s.Broadcast(a + rows.Offset(6));
            c60 = s.MultiplyAdd(a6, b0, c60); c61 = s.MultiplyAdd(a6, b1, c61);
            TV a7 = s.Broadcast(a + rows.Offset(7));
            c70 = s.MultiplyAdd(a7, b0, c70); c71 = s.MultiplyAdd(a7, b1, c71);
            a += rows.Step;
            b += 2 * w;
        }
        if (add)
        {
            float* r0 = c + 0 * ldc; s.Store(r0, s.Add(s.Load(r0), c00)); s.Store(r0 + w, s.Add(s.Load(r0 + w), c01));
            float* r1 = c + 1 * ldc; s.Store(r1, s.Add(s.Load(r1), c10)); s.Store(r1 + w, s.Add(s.Load(r1 + w), c11));
            float* r2 = c + 2 * ldc; s.Store(r2, s.Add(s.Load(r2), c20)); s.Store(r2 + w, s.Add(s.Load(r2 + w), c21));
            float* r3 = c + 3 * ldc; s.Store(r3, s.Add(s.Load(r3), c30)); s.Store(r3 + w, s.Add(s.Load(r3 + w), c31));
            float* r4 = c + 4 * ldc; s.Store(r4, s.Add(s.Load(r4), c40)); s.Store(r4 + w, s.Add(s.Load(r4 + w), c41));
            float* r5 = c + 5 * ldc; s.Store(r5, s.Add(s.Load(r5), c50)); s.Store(r5 + w, s.Add(s.Load(r5 + w), c51));
            float* r6 = c + 6 * ldc; s.Store(r6, s.Add(s.Load(r6), c60)); s.Store(r6 + w, s.Add(s.Load(r6 + w), c61));
            float* r7 = c + 7 * ldc; s.Store(r7, s.Add(s.Load(r7), c70)); s.Store(r7 + w, s.Add(s.Load(r7 + w), c71));
        }
        else
        {
            float* r0 = c + 0 * ldc; s.Store(r0, c00); s.Store(r0 + w, c01);
            float* r1 = c + 1 * ldc; s.Store(r1, c10); s.Store(r1 + w, c11);
            float* r2 = c + 2 * ldc; s.Store(r2, c20); s.Store(r2 + w, c21);
            float* r3 = c + 3 * ldc; s.Store(r3, c30); s.Store(r3 + w, c31);
            float* r4 = c + 4 * ldc; s.Store(r4, c40); s.Store(r4 + w, c41);
            float* r5 = c + 5 * ldc; s.Store(r5, c50); s.Store(r5 + w, c51);
            float* r6 = c + 6 * ldc; s.Store(r6, c60); s.Store(r6 + w, c61);
            float* r7 = c + 7 * ldc; s.Store(r7, c70); s.Store(r7 + w, c71);
        }
    }

    /// <summary>
    /// Writes (or adds) the top-left (rows, cols) of an edge tile that a TileN call stored in scratch
    /// (row stride 2W) to c. Whole registers are read back exactly as they were stored, so the loads are
    /// served from the store buffer; narrower reads of a just-stored register would stall on it.
    /// </summary>
    [MethodImpl(JitHints.HotLoop)]
    public static void Merge<TS, TV>(float* c, nint ldc, float* tile, int rows, int cols, bool add)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TS s = default;
        int w = s.Count;
        for (int i = 0; i < rows; i++, c += ldc, tile += 2 * w)
        {
            int j = 0;
            for (; j + w <= cols; j += w)
                s.Store(c + j, add ? s.Add(s.Load(c + j), s.Load(tile + j)) : s.Load(tile + j));
            for (; j < cols; j++)
                c[j] = add ? c[j] + tile[j] : tile[j];
        }
    }
}
