using System;
using System.Numerics.Tensors;

namespace Cortex.Kernels;

/// <summary>
/// The reference for <see cref="ActivationKernels"/>: each element is the double definition of its activation
/// (<see cref="ActivationFunctions"/>) rounded to float, softmax rows are TensorPrimitives calls; written for
/// clarity, not speed. Tests compare the fast kernels with it. Span in, span out; nothing allocates.
/// </summary>
internal static class ActivationKernelsNaive
{
    /// <summary>
    /// z += b (broadcast over rows), then y = f(z). y may be the same memory as z only for
    /// <see cref="ActivationKind.Linear"/> (then nothing is copied).
    /// </summary>
    /// <param name="y">Output (rows, columns).</param>
    /// <param name="z">Pre-activation (rows, columns), updated in place with the bias.</param>
    /// <param name="bias">Bias (columns), or empty for none.</param>
    /// <param name="activation">The function.</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="columns">Width.</param>
    public static void BiasActivationForward(Span<float> y, Span<float> z, ReadOnlySpan<float> bias, Activation activation, int rows, int columns)
    {
        Check.Dimensions(rows, columns);
        Check.Matrix(y.Length, rows, columns, nameof(y));
        Check.Matrix(z.Length, rows, columns, nameof(z));
        if (!bias.IsEmpty) Check.SameLength(bias.Length, columns, nameof(bias), "a row of z");
        for (int r = 0; r < rows; r++)
        {
            Span<float> zr = z.Slice(r * columns, columns), yr = y.Slice(r * columns, columns);
            if (!bias.IsEmpty) TensorPrimitives.Add(zr, bias, zr);
            ForwardRow(yr, zr, activation);
        }
    }

    /// <summary>dZ = f′(z) ⊙ dY (for softmax, the row-wise vector-Jacobian product). dZ may be the same memory as dY.</summary>
    /// <param name="dZ">Output gradient with respect to z (rows, columns).</param>
    /// <param name="dY">Gradient with respect to y (rows, columns).</param>
    /// <param name="z">Pre-activation from the forward pass.</param>
    /// <param name="y">Output from the forward pass.</param>
    /// <param name="activation">The function.</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="columns">Width.</param>
    public static void Backward(Span<float> dZ, ReadOnlySpan<float> dY, ReadOnlySpan<float> z, ReadOnlySpan<float> y,
        Activation activation, int rows, int columns)
    {
        Check.Dimensions(rows, columns);
        Check.Matrix(dZ.Length, rows, columns, nameof(dZ));
        Check.Matrix(dY.Length, rows, columns, nameof(dY));
        Check.Matrix(z.Length, rows, columns, nameof(z));
        Check.Matrix(y.Length, rows, columns, nameof(y));
        int n = rows * columns;
        if (activation.IsRowWise)
        {
            for (int r = 0; r < rows; r++)                                // dz_i = y_i (dy_i − Σ_j dy_j y_j)
            {
                ReadOnlySpan<float> yr = y.Slice(r * columns, columns), dyr = dY.Slice(r * columns, columns);
                Span<float> dzr = dZ.Slice(r * columns, columns);
                float s = TensorPrimitives.Dot(dyr, yr);
                for (int k = 0; k < columns; k++) dzr[k] = yr[k] * (dyr[k] - s);
            }
            return;
        }
        for (int i = 0; i < n; i++) dZ[i] = (float)(dY[i] * ActivationFunctions.Derivative(activation, z[i], y[i]));
    }

    private static void ForwardRow(Span<float> y, Span<float> z, Activation activation)
    {
        if (activation.IsRowWise)
        {
            float max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, y);
            TensorPrimitives.Exp(y, y);
            float sum = TensorPrimitives.Sum(y);
            TensorPrimitives.Divide(y, sum, y);
            return;
        }
        for (int i = 0; i < z.Length; i++) y[i] = (float)ActivationFunctions.Forward(activation, z[i]);
    }
}
