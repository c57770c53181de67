using System;
using System.Numerics.Tensors;

namespace Cortex.Kernels;

/// <summary>
/// The reference for <see cref="ActivationKernels"/>: the activation table
/// (<see cref="Activation.Forward(double)"/> / <see cref="Activation.Derivative(double, double)"/> are its
/// definition) row by row with MathF and TensorPrimitives, written for clarity. Tests compare the fast
/// kernels with it. Span in, span out; nothing allocates.
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
        dZ = dZ.Slice(0, n); dY = dY.Slice(0, n); z = z.Slice(0, n); y = y.Slice(0, n);
        float a = activation.Alpha;
        switch (activation.Kind)
        {
            case ActivationKind.Linear:                                   // f′ = 1
                if (!dZ.Overlaps(dY)) dY.CopyTo(dZ);
                break;
            case ActivationKind.BinaryStep:                               // f′ = 0 (also at 0, by choice)
                dZ.Clear();
                break;
            case ActivationKind.Sigmoid:                                  // f′ = f(1 − f)
                for (int i = 0; i < n; i++) dZ[i] = dY[i] * y[i] * (1f - y[i]);
                break;
            case ActivationKind.Tanh:                                     // f′ = 1 − f²
                for (int i = 0; i < n; i++) dZ[i] = dY[i] * (1f - y[i] * y[i]);
                break;
            case ActivationKind.Relu:                                     // f′ = 1 for x > 0, else 0
                for (int i = 0; i < n; i++) dZ[i] = z[i] > 0f ? dY[i] : 0f;
                break;
            case ActivationKind.LeakyRelu:                                // f′ = 1 for x ≥ 0, else α
                for (int i = 0; i < n; i++) dZ[i] = z[i] >= 0f ? dY[i] : a * dY[i];
                break;
            case ActivationKind.Elu:                                      // f′ = 1 for x > 0, else αeˣ = f + α
                for (int i = 0; i < n; i++) dZ[i] = z[i] > 0f ? dY[i] : dY[i] * (y[i] + a);
                break;
            case ActivationKind.Softplus:                                 // f′ = σ(x)
                for (int i = 0; i < n; i++) dZ[i] = dY[i] * ActivationKernels.Sigmoid(z[i]);
                break;
            case ActivationKind.Softmax:                                  // dz_i = y_i (dy_i − Σ_j dy_j y_j)
                for (int r = 0; r < rows; r++)
                {
                    ReadOnlySpan<float> yr = y.Slice(r * columns, columns), dyr = dY.Slice(r * columns, columns);
                    Span<float> dzr = dZ.Slice(r * columns, columns);
                    float s = TensorPrimitives.Dot(dyr, yr);
                    for (int k = 0; k < columns; k++) dzr[k] = yr[k] * (dyr[k] - s);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "Unknown activation.");
        }
    }

    private static void ForwardRow(Span<float> y, Span<float> z, Activation activation)
    {
        float a = activation.Alpha;
        switch (activation.Kind)
        {
            case ActivationKind.Linear:
                if (!y.Overlaps(z)) z.CopyTo(y);
                break;
            case ActivationKind.BinaryStep:
                for (int i = 0; i < z.Length; i++) y[i] = z[i] < 0f ? 0f : 1f;
                break;
            case ActivationKind.Sigmoid:
                for (int i = 0; i < z.Length; i++) y[i] = ActivationKernels.Sigmoid(z[i]);
                break;
            case ActivationKind.Tanh:
                TensorPrimitives.Tanh(z, y);
                break;
            case ActivationKind.Relu:
                for (int i = 0; i < z.Length; i++) y[i] = MathF.Max(z[i], 0f);
                break;
            case ActivationKind.LeakyRelu:                                // max(x, αx) as 0 ≤ α < 1
                TensorPrimitives.Multiply(z, a, y);
                TensorPrimitives.Max(z, y, y);
                break;
            case ActivationKind.Softplus:
                for (int i = 0; i < z.Length; i++) y[i] = ActivationKernels.Softplus(z[i]);
                break;
            case ActivationKind.Elu:
                for (int i = 0; i < z.Length; i++) y[i] = z[i] > 0f ? z[i] : a * (MathF.Exp(z[i]) - 1f);
                break;
            case ActivationKind.Softmax:
                float max = TensorPrimitives.Max(z);
                TensorPrimitives.Subtract(z, max, y);
                TensorPrimitives.Exp(y, y);
                float sum = TensorPrimitives.Sum(y);
                TensorPrimitives.Divide(y, sum, y);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "Unknown activation.");
        }
    }
}
