using System;
using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>
/// The cache-blocked GEMM driver. op(b) is packed once into (k, NR) column panels shared by all
/// threads; the product is cut into items of whole micro-tiles (rows × columns of C), and each item
/// packs its rows of op(a) one KC-deep slice at a time (<see cref="GemmIsas.TileDepth"/>) into a
/// per-thread buffer, then runs the micro-kernel over its tiles.
/// </summary>
/// <remarks>
/// Determinism: the micro-tile grid starts at (0, 0), the k range is cut into the same KC slices and
/// summed in the same order, and every tile (edges included) is computed by the same micro-kernel on
/// zero-padded panels. Only the grouping of tiles into items depends on the thread count, so every
/// element of C sees the same operations whatever the degree of parallelism: results are bitwise
/// identical for any <see cref="WorkerPool.Threads"/>.
/// </remarks>
internal sealed unsafe class GemmBlocked : IParallelWork
{
    /// <summary>At most this many rows of op(a) per item: an (MC, KC) block of up to 512 KB that stays in L2.</summary>
    private const int MaxRows = 256;

    /// <summary>Products below this many flops (about 50 µs on one core) stay on the calling thread even when a pool is given.</summary>
    internal const double ParallelFlops = 1e6;

    /// <summary>Items per thread to aim for, so a slow or preempted thread does not hold up the rest.</summary>
    private const int ItemsPerThread = 2;

    /// <summary>Items per thread when the columns are split (each item packs all of a, so fewer is cheaper).</summary>
    private const int ColumnItemsPerThread = 1;

    [ThreadStatic] private static GemmBlocked? _perThread;
    [ThreadStatic] private static float[]? _aBuffer;
    [ThreadStatic] private static float[]? _bBuffer;

    private GemmIsa _isa;
    private int _mr, _nr, _kc;
    private float* _a, _b, _c, _bPacked;
    private int _m, _n, _k;
    private bool _transposeA, _transposeB, _accumulate;
    private int _rowsPerItem, _colsPerItem, _colBlocks, _colPanels, _packItems;
    private bool _packing, _packInItems, _packPerItem, _sourceRows;

    /// <summary>
    /// c (m, n) = or += op(a) · op(b); see <see cref="Gemm"/>. m, n, k are positive. With <paramref name="sourceRows"/>
    /// (a row-major, not transposed) a's rows are read where they lie instead of packed: for an a too large to copy
    /// per call, such as a layer's weights; the same operations, so the same bits.
    /// </summary>
    [MethodImpl(JitHints.HotLoop)]
    public static void Run(GemmIsa isa, float* c, float* a, float* b, int m, int n, int k,
        bool transposeA, bool transposeB, bool accumulate, WorkerPool? pool, bool sourceRows = false)
    {
        var work = _perThread ??= new GemmBlocked();
        work._sourceRows = sourceRows && !transposeA;
        int threads = pool is null || 2.0 * m * n * k < ParallelFlops ? 1 : pool.Threads;
        int items = work.Plan(isa, m, n, k, threads);
        work._a = a;
        work._b = b;
        work._c = c;
        work._transposeA = transposeA;
        work._transposeB = transposeB;
        work._accumulate = accumulate;

        float[] packed = Grow(ref _bBuffer, checked(work._colPanels * work._nr * k + 16));
        try
        {
            fixed (float* raw = packed)
            {
                work._bPacked = Align64(raw);
                if (!work._packInItems && !work._packPerItem)
                {
                    work._packing = true;
                    RunItems(work, work._packItems, threads > 1 ? pool : null);
                    work._packing = false;
                }
                if (threads > 1) pool!.RunAffine(work, items);        // the same blocks of c to the same core, call after call
                else RunItems(work, items, null);
            }
        }
        finally
        {
            work._a = work._b = work._c = work._bPacked = null;
        }
    }

    /// <inheritdoc/>
    public void Execute(int item)
    {
        if (_packing)
        {
            PackPanels(item);
            return;
        }
        if (_packInItems)
        {
            // One row block: item = column block. Pack this block's panels of op(b) (whole k) before computing it.
            int first = item * (_colsPerItem / _nr), end = Math.Min(first + _colsPerItem / _nr, _colPanels);
            for (int q = first; q < end; q++)
                GemmPack.PackB(_bPacked + (nint)q * _k * _nr, _b, _n, _k, _transposeB, q * _nr, _nr);
        }
        if (!_packPerItem)
        {
            Compute(item, _bPacked);
            return;
        }
        // A row block per thread: the item packs all of op(b) into its own thread's buffer (op(b) is the small operand
        // here, and a separate packing round would cost more than packing it twice).
        float[] own = Grow(ref _bBuffer, checked(_colPanels * _nr * _k + 16));
        fixed (float* raw = own)
        {
            float* bPacked = Align64(raw);
            for (int q = 0; q < _colPanels; q++) GemmPack.PackB(bPacked + (nint)q * _k * _nr, _b, _n, _k, _transposeB, q * _nr, _nr);
            Compute(item, bPacked);
        }
    }

    private void Compute(int item, float* bPacked)
    {
        switch (_isa)
        {
#if NET8_0_OR_GREATER
            case GemmIsa.Avx512: Compute<Avx512Tile>(item, bPacked); break;
            case GemmIsa.Avx2: Compute<Avx2Tile>(item, bPacked); break;
#endif
            case GemmIsa.Vector: Compute<VectorTile>(item, bPacked); break;
            default: Compute<ScalarTile>(item, bPacked); break;
        }
    }

    private static void RunItems(GemmBlocked work, int items, WorkerPool? pool)
    {
        if (pool is not null)
        {
            pool.Run(work, items);
            return;
        }
        for (int i = 0; i < items; i++) work.Execute(i);
    }

    /// <summary>Chooses the item grid; returns the number of compute items.</summary>
    private int Plan(GemmIsa isa, int m, int n, int k, int threads)
    {
        _isa = isa;
        _mr = GemmIsas.TileRows(isa);
        _nr = GemmIsas.TileColumns(isa);
        _kc = GemmIsas.TileDepth(isa);
        _m = m;
        _n = n;
        _k = k;
        int rowTiles = (m + _mr - 1) / _mr;
        int colTiles = (n + _nr - 1) / _nr;
        int rowPanels, colPanels = colTiles;
        _packInItems = false;
        _packPerItem = false;
        if (threads == 1)
        {
            rowPanels = Math.Min(rowTiles, MaxRows / _mr);
            _packItems = 1;
        }
        else if (_sourceRows && rowTiles >= threads)
        {
            // a's rows read where they lie (a layer's weights): one row block per thread, participant t the t-th block
            // of W's rows, the rows its core owns for the optimizer step (see CpuBackend's arena partition).
            rowPanels = Math.Min((rowTiles + threads - 1) / threads, MaxRows / _mr);
            _packPerItem = true;
            _packItems = 0;
        }
        else if (rowTiles <= MaxRows / _mr && colTiles >= threads && !_sourceRows)
        {
            // All rows fit one block: split the columns, and let each item pack its own panels of op(b) (so no
            // panel is shared between cores, and there is one fork-join instead of two). Each item packs all of a.
            rowPanels = rowTiles;
            int colBlocks = Math.Min(colTiles, ColumnItemsPerThread * threads);
            colPanels = (colTiles + colBlocks - 1) / colBlocks;
            _packInItems = true;
            _packItems = 0;
        }
        else
        {
            int target = ItemsPerThread * threads;
            rowPanels = Math.Min(Math.Max(1, (rowTiles + target - 1) / target), MaxRows / _mr);
            int rowBlocks = (rowTiles + rowPanels - 1) / rowPanels;
            if (rowBlocks < target)
            {
                // Too few row blocks to share out: cut the columns too (each column block repacks its rows of a).
                int colBlocks = Math.Min(colTiles, (target + rowBlocks - 1) / rowBlocks);
                colPanels = (colTiles + colBlocks - 1) / colBlocks;
            }
            _packItems = Math.Min(colTiles, 4 * threads);
        }
        _rowsPerItem = rowPanels * _mr;
        _colsPerItem = colPanels * _nr;
        _colPanels = colTiles;
        _colBlocks = (colTiles + colPanels - 1) / colPanels;
        return (rowTiles + rowPanels - 1) / rowPanels * _colBlocks;
    }

    [MethodImpl(JitHints.HotLoop)]
    private void PackPanels(int item)
    {
        int first = (int)((long)item * _colPanels / _packItems);
        int end = (int)((long)(item + 1) * _colPanels / _packItems);
        for (int q = first; q < end; q++)
            GemmPack.PackB(_bPacked + (nint)q * _k * _nr, _b, _n, _k, _transposeB, q * _nr, _nr);
    }

    [MethodImpl(JitHints.HotLoop)]
    private void Compute<TTile>(int item, float* bPacked) where TTile : struct, ITile
    {
        TTile tile = default;
        int mr = _mr, nr = _nr, depth = _kc, m = _m, n = _n, k = _k;
        int rowBlock = item / _colBlocks;
        int r0 = rowBlock * _rowsPerItem;
        int c0 = (item - rowBlock * _colBlocks) * _colsPerItem;
        int rows = Math.Min(_rowsPerItem, m - r0);
        int cols = Math.Min(_colsPerItem, n - c0);
        int rowPanels = (rows + mr - 1) / mr;
        int colPanels = (cols + nr - 1) / nr;

        float[] buffer = _aBuffer is { } own && own.Length >= _rowsPerItem * depth + mr * nr + 16 ? own : PrepareThread(_isa);
        fixed (float* raw = buffer)
        {
            float* aPacked = Align64(raw);
            float* scratch = aPacked + (nint)rowPanels * mr * depth;
            bool direct = _sourceRows;
            int edgeRows = rows % mr;       // a partial last panel: packed (zero-padded) even when the rows are read where they lie
            for (int p0 = 0; p0 < k; p0 += depth)
            {
                int kc = Math.Min(depth, k - p0);
                bool add = _accumulate || p0 > 0;
                if (!direct) GemmPack.PackA(aPacked, _a, m, k, _transposeA, r0, rows, p0, kc, mr);
                else if (edgeRows != 0) GemmPack.PackA(aPacked, _a, m, k, false, r0 + rows - edgeRows, edgeRows, p0, kc, mr);
                for (int jp = 0; jp < colPanels; jp++)
                {
                    int j0 = c0 + jp * nr;
                    int width = Math.Min(nr, n - j0);
                    float* bPanel = bPacked + (nint)(j0 / nr) * k * nr + (nint)p0 * nr;
                    for (int ip = 0; ip < rowPanels; ip++)
                    {
                        int i0 = r0 + ip * mr;
                        int height = Math.Min(mr, m - i0);
                        bool rowsInPlace = direct && height == mr;
                        float* aPanel = rowsInPlace ? _a + (nint)i0 * k + p0 : direct ? aPacked : aPacked + (nint)ip * mr * kc;
                        float* cTile = _c + (nint)i0 * n + j0;
                        bool whole = height == mr && width == nr;
                        // Edge tile: the same micro-kernel into scratch, then only the valid part is written.
                        float* target = whole ? cTile : scratch;
                        nint ldt = whole ? n : nr;
                        bool addHere = whole && add;
                        if (rowsInPlace) tile.RunRows(kc, aPanel, k, bPanel, target, ldt, addHere);
                        else tile.Run(kc, aPanel, bPanel, target, ldt, addHere);
                        if (!whole) tile.Merge(cTile, n, scratch, height, width, add);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Gives the calling thread its packed-a buffer at the largest size any product needs on <paramref name="isa"/>
    /// (<see cref="MaxRows"/> rows of one depth block), so that a thread never allocates in a product because it meets
    /// a larger shape than before. Which items a pool's worker runs depends on timing, so a buffer that grew with
    /// the shapes seen would grow at a random later call; <see cref="WorkerPool"/> workers call this when they start.
    /// </summary>
    internal static float[] PrepareThread(GemmIsa isa)
    {
        int length = MaxRows * GemmIsas.TileDepth(isa) + GemmIsas.TileRows(isa) * GemmIsas.TileColumns(isa) + 16;
        if (_aBuffer is null || _aBuffer.Length < length) _aBuffer = new float[length];
        return _aBuffer;
    }

    private static float[] Grow(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new float[length];
        return buffer;
    }

    private static float* Align64(float* p) => (float*)(((nint)p + 63) & ~(nint)63);
}
