using System;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;

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
        Check.Dimensions(rows, columns);
        Check.Matrix(x.Length, rows, columns, nameof(x));
        Check.AtLeast(sums.Length, columns, nameof(sums), "columns");
        sums = sums.Slice(0, columns);
        if (!accumulate) sums.Clear();
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(sums, x.Slice(r * columns, columns), sums);
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
