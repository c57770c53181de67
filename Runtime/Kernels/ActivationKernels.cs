using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Cortex.Kernels;

/// <summary>
/// Float kernels for the activation table (<see cref="Activation.Forward(double)"/> /
/// <see cref="Activation.Derivative(double, double)"/> are their definition), fused with the bias add
/// on the way forward. Span in, span out; nothing allocates.
/// </summary>
public static class ActivationKernels
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
                for (int i = VectorLoop(dZ, dY, z, y, activation); i < n; i++) dZ[i] = dY[i] * y[i] * (1f - y[i]);
                break;
            case ActivationKind.Tanh:                                     // f′ = 1 − f²
                for (int i = VectorLoop(dZ, dY, z, y, activation); i < n; i++) dZ[i] = dY[i] * (1f - y[i] * y[i]);
                break;
            case ActivationKind.Relu:                                     // f′ = 1 for x > 0, else 0
                for (int i = VectorLoop(dZ, dY, z, y, activation); i < n; i++) dZ[i] = z[i] > 0f ? dY[i] : 0f;
                break;
            case ActivationKind.LeakyRelu:                                // f′ = 1 for x ≥ 0, else α
                for (int i = VectorLoop(dZ, dY, z, y, activation); i < n; i++) dZ[i] = z[i] >= 0f ? dY[i] : a * dY[i];
                break;
            case ActivationKind.Elu:                                      // f′ = 1 for x > 0, else αeˣ = f + α
                for (int i = VectorLoop(dZ, dY, z, y, activation); i < n; i++) dZ[i] = z[i] > 0f ? dY[i] : dY[i] * (y[i] + a);
                break;
            case ActivationKind.Softplus:                                 // f′ = σ(x)
                for (int i = 0; i < n; i++) dZ[i] = dY[i] * Sigmoid(z[i]);
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

    /// <summary>Stable logistic function: never evaluates e^x for large positive x.</summary>
    /// <param name="x">Input.</param>
    public static float Sigmoid(float x)
    {
        if (x >= 0f) return 1f / (1f + MathF.Exp(-x));
        float e = MathF.Exp(x);
        return e / (1f + e);
    }

    /// <summary>Stable softplus: max(x, 0) + ln(1 + e^−|x|), accurate when e^−|x| is tiny.</summary>
    /// <param name="x">Input.</param>
    public static float Softplus(float x)
    {
        float e = MathF.Exp(-MathF.Abs(x));
        float u = 1f + e;
        float log1p = u == 1f ? e : MathF.Log(u) * e / (u - 1f);
        return MathF.Max(x, 0f) + log1p;
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
                for (int i = 0; i < z.Length; i++) y[i] = Sigmoid(z[i]);
                break;
            case ActivationKind.Tanh:
                TensorPrimitives.Tanh(z, y);
                break;
            case ActivationKind.Relu:
                ReadOnlySpan<Vector<float>> zv = MemoryMarshal.Cast<float, Vector<float>>(z);
                Span<Vector<float>> yv = MemoryMarshal.Cast<float, Vector<float>>(y);
                for (int j = 0; j < zv.Length; j++) yv[j] = Vector.Max(zv[j], Vector<float>.Zero);
                for (int j = zv.Length * Vector<float>.Count; j < z.Length; j++) y[j] = MathF.Max(z[j], 0f);
                break;
            case ActivationKind.LeakyRelu:                                // max(x, αx) as 0 ≤ α < 1
                TensorPrimitives.Multiply(z, a, y);
                TensorPrimitives.Max(z, y, y);
                break;
            case ActivationKind.Softplus:
                for (int i = 0; i < z.Length; i++) y[i] = Softplus(z[i]);
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

    // The SIMD body of the element-wise derivatives; returns where the scalar tail starts.
    private static int VectorLoop(Span<float> dZ, ReadOnlySpan<float> dY, ReadOnlySpan<float> z, ReadOnlySpan<float> y, Activation activation)
    {
        if (!Vector.IsHardwareAccelerated) return 0;
        Span<Vector<float>> dz = MemoryMarshal.Cast<float, Vector<float>>(dZ);
        ReadOnlySpan<Vector<float>> dy = MemoryMarshal.Cast<float, Vector<float>>(dY);
        ReadOnlySpan<Vector<float>> zv = MemoryMarshal.Cast<float, Vector<float>>(z), yv = MemoryMarshal.Cast<float, Vector<float>>(y);
        var one = Vector<float>.One;
        var zero = Vector<float>.Zero;
        var alpha = new Vector<float>(activation.Alpha);
        int n = dz.Length;
        switch (activation.Kind)
        {
            case ActivationKind.Sigmoid:
                for (int j = 0; j < n; j++) dz[j] = dy[j] * yv[j] * (one - yv[j]);
                break;
            case ActivationKind.Tanh:
                for (int j = 0; j < n; j++) dz[j] = dy[j] * (one - yv[j] * yv[j]);
                break;
            case ActivationKind.Relu:
                for (int j = 0; j < n; j++) dz[j] = Vector.ConditionalSelect(Vector.GreaterThan(zv[j], zero), dy[j], zero);
                break;
            case ActivationKind.LeakyRelu:
                for (int j = 0; j < n; j++) dz[j] = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(zv[j], zero), dy[j], alpha * dy[j]);
                break;
            case ActivationKind.Elu:
                for (int j = 0; j < n; j++) dz[j] = Vector.ConditionalSelect(Vector.GreaterThan(zv[j], zero), dy[j], dy[j] * (yv[j] + alpha));
                break;
            default:
                return 0;
        }
        return n * Vector<float>.Count;
    }
}
