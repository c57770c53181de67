using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cortex.Kernels;

/// <summary>Reductions in a fixed order (so results do not depend on thread count). Nothing allocates.</summary>
public static class ReductionKernels
{
    private const int Block = 1024;

    /// <summary>sums = Σ_rows x (or sums += … when <paramref name="accumulate"/>): the bias gradient db = Σ_rows dZ.</summary>
    /// <param name="sums">Output (columns).</param>
    /// <param name="x">Input (rows, columns).</param>
    /// <param name="rows">Rows to sum.</param>
    /// <param name="columns">Width.</param>
    /// <param name="accumulate">Add into <paramref name="sums"/> instead of overwriting.</param>
    public static void ColumnSum(Span<float> sums, ReadOnlySpan<float> x, int rows, int columns, bool accumulate)
    {
        CheckColumnSum(sums.Length, x.Length, rows, columns);
        ColumnSumOn(GemmIsas.Best, sums, x, rows, columns, accumulate);
    }

    /// <summary>The checks of <see cref="ColumnSum"/> on operand lengths (any backend's buffers).</summary>
    internal static void CheckColumnSum(int sums, int x, int rows, int columns)
    {
        Check.Dimensions(rows, columns);
        Check.Matrix(x, rows, columns, nameof(x));
        Check.AtLeast(sums, columns, nameof(sums), "columns");
    }

    /// <summary><see cref="ColumnSum"/> on a chosen instruction set (validated by the caller). Each column is summed from row 0 down, as in <see cref="ReductionKernelsNaive"/>, so the results are the same bits.</summary>
    [MethodImpl(JitHints.HotLoop)]
    internal static unsafe void ColumnSumOn(GemmIsa isa, Span<float> sums, ReadOnlySpan<float> x, int rows, int columns, bool accumulate)
    {
        if (!GemmIsas.IsSupported(isa)) throw new ArgumentOutOfRangeException(nameof(isa), isa, "This instruction set is not available here.");
        if (columns == 0) return;
        fixed (float* ps = sums)
        fixed (float* px = x)
            ColumnSumRange(isa, ps, px, rows, columns, 0, columns, accumulate);
    }

    /// <summary>Columns [first, end) of <see cref="ColumnSum"/> (validated by the caller): a parallel item.</summary>
    internal static unsafe void ColumnSumRange(GemmIsa isa, float* sums, float* x, int rows, int columns, int first, int end, bool accumulate)
    {
        var kernel = new ColumnSumKernel(sums, x, rows, columns, first, end, accumulate);
        SimdDispatch.Run(isa, ref kernel);
    }

    private readonly unsafe struct ColumnSumKernel : ISimdKernel
    {
        private readonly float* _sums, _x;
        private readonly int _rows, _columns, _first, _end;
        private readonly bool _accumulate;

        public ColumnSumKernel(float* sums, float* x, int rows, int columns, int first, int end, bool accumulate)
        {
            _sums = sums;
            _x = x;
            _rows = rows;
            _columns = columns;
            _first = first;
            _end = end;
            _accumulate = accumulate;
        }

        public void Run<TO, TV, TN, TW, TS>()
            where TO : struct, ISimdOps<TV> where TV : struct
            where TN : struct, ISimdOps<TW> where TW : struct
            where TS : struct, ISimdOps<float> =>
            ColumnSum<TO, TV>(_sums, _x, _rows, _columns, _first, _end, _accumulate);
    }

    // Columns [first, end): four registers of columns at a time down all rows, then one, then single columns.
    [MethodImpl(JitHints.HotLoop)]
    internal static unsafe void ColumnSum<TO, TV>(float* sums, float* x, int rows, int columns, int first, int end, bool accumulate)
        where TO : struct, ISimdOps<TV> where TV : struct
    {
        TO o = default;
        int w = o.Count, c = first;
        for (; c <= end - 4 * w; c += 4 * w)
        {
            TV s0 = accumulate ? o.Load(sums + c) : o.Create(0f), s1 = accumulate ? o.Load(sums + c + w) : o.Create(0f);
            TV s2 = accumulate ? o.Load(sums + c + 2 * w) : o.Create(0f), s3 = accumulate ? o.Load(sums + c + 3 * w) : o.Create(0f);
            float* p = x + c;
            for (int r = 0; r < rows; r++, p += columns)
            {
                s0 = o.Add(s0, o.Load(p));
                s1 = o.Add(s1, o.Load(p + w));
                s2 = o.Add(s2, o.Load(p + 2 * w));
                s3 = o.Add(s3, o.Load(p + 3 * w));
            }
            o.Store(sums + c, s0);
            o.Store(sums + c + w, s1);
            o.Store(sums + c + 2 * w, s2);
            o.Store(sums + c + 3 * w, s3);
        }
        for (; c <= end - w; c += w)
        {
            TV s = accumulate ? o.Load(sums + c) : o.Create(0f);
            float* p = x + c;
            for (int r = 0; r < rows; r++, p += columns) s = o.Add(s, o.Load(p));
            o.Store(sums + c, s);
        }
        for (; c < end; c++)
        {
            float s = accumulate ? sums[c] : 0f;
            float* p = x + c;
            for (int r = 0; r < rows; r++, p += columns) s += *p;
            sums[c] = s;
        }
    }

    /// <summary>
    /// Σ x² in a fixed order: SIMD lanes in float over blocks of 1024, blocks summed in double (all in
    /// double without SIMD). The squared global gradient norm, relative error far below 1e-5.
    /// </summary>
    /// <param name="x">Values.</param>
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        double total = 0;
        if (!Vector.IsHardwareAccelerated)
        {
            foreach (float v in x) total += (double)v * v;
            return total;
        }
        for (int i = 0; i < x.Length; i += Block)
        {
            total += TensorPrimitives.SumOfSquares(x.Slice(i, Math.Min(Block, x.Length - i)));
        }
        return total;
    }

    /// <summary>Floats per block of <see cref="SumOfSquares"/>: each block is summed in float, the blocks in double, in order.</summary>
    internal const int SumOfSquaresBlock = Block;

    /// <summary>The float sums of squares of blocks [first, end) of <paramref name="x"/> into partials[first..end): <see cref="SumOfSquares"/> split up.</summary>
    internal static void BlockSumsOfSquares(ReadOnlySpan<float> x, int first, int end, Span<float> partials)
    {
        for (int b = first; b < end; b++)
        {
            int i = b * Block;
            partials[b] = TensorPrimitives.SumOfSquares(x.Slice(i, Math.Min(Block, x.Length - i)));
        }
    }

    /// <summary>destination ← destination + t(source − destination): Polyak averaging of target networks.</summary>
    /// <param name="destination">Updated in place.</param>
    /// <param name="source">What to move towards.</param>
    /// <param name="t">Fraction in [0, 1].</param>
    public static void Lerp(Span<float> destination, ReadOnlySpan<float> source, float t)
    {
        Check.SameLength(source.Length, destination.Length, nameof(source), nameof(destination));
        if (!(t >= 0f && t <= 1f)) throw new ArgumentOutOfRangeException(nameof(t), t, "t must lie in [0, 1].");
        int i = 0, n = destination.Length;
        if (Vector.IsHardwareAccelerated)
        {
            var vt = new Vector<float>(t);
            Span<Vector<float>> dv = MemoryMarshal.Cast<float, Vector<float>>(destination);
            ReadOnlySpan<Vector<float>> sv = MemoryMarshal.Cast<float, Vector<float>>(source);
            for (int j = 0; j < dv.Length; j++) dv[j] += vt * (sv[j] - dv[j]);
            i = dv.Length * Vector<float>.Count;
        }
        for (; i < n; i++) destination[i] += t * (source[i] - destination[i]);
    }
}
