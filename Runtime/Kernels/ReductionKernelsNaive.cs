using System;

namespace Cortex.Kernels;

/// <summary>The reference for <see cref="ReductionKernels.ColumnSum"/>: one column at a time, rows in order.</summary>
internal static class ReductionKernelsNaive
{
    /// <summary>sums = Σ_rows x (or sums += … when <paramref name="accumulate"/>), each column summed from row 0 down.</summary>
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
        for (int c = 0; c < columns; c++)
        {
            float s = accumulate ? sums[c] : 0f;
            for (int r = 0; r < rows; r++) s += x[r * columns + c];
            sums[c] = s;
        }
    }
}
