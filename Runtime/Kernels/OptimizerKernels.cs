using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Cortex.Kernels;

/// <summary>
/// Parameter updates. Each reads the gradient (scaled by <c>gradientScale</c>, which carries
/// global-norm clipping), updates the parameters and moments, and clears the gradient for the next
/// step, in one pass over memory. Span in, span out; nothing allocates.
/// </summary>
public static class OptimizerKernels
{
    /// <summary>
    /// The checks of a <paramref name="kind"/> step on operand lengths, as <see cref="GradientDescent"/>,
    /// <see cref="Momentum"/> and <see cref="Adam"/> make them, for callers that split the arrays (any backend's buffers).
    /// </summary>
    internal static void CheckStep(OptimizerKind kind, int parameters, int gradients, int moment1, int moment2, long step)
    {
        Check.SameLength(gradients, parameters, nameof(gradients), nameof(parameters));
        switch (kind)
        {
            case OptimizerKind.GradientDescent:
                break;
            case OptimizerKind.Momentum:
                Check.SameLength(moment1, parameters, "velocity", nameof(parameters));
                break;
            case OptimizerKind.Adam:
                Check.SameLength(moment1, parameters, nameof(moment1), nameof(parameters));
                Check.SameLength(moment2, parameters, nameof(moment2), nameof(parameters));
                if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Adam's step count starts at 1.");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown optimizer.");
        }
    }

    /// <summary>Θ ← Θ − α(s·g + λΘ); g ← 0.</summary>
    /// <param name="parameters">Θ, updated.</param>
    /// <param name="gradients">g, read then cleared.</param>
    /// <param name="learningRate">α.</param>
    /// <param name="weightDecay">λ.</param>
    /// <param name="gradientScale">s.</param>
    public static void GradientDescent(Span<float> parameters, Span<float> gradients, float learningRate, float weightDecay, float gradientScale)
    {
        Check.SameLength(gradients.Length, parameters.Length, nameof(gradients), nameof(parameters));
        int n = parameters.Length, i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<float>> pv = MemoryMarshal.Cast<float, Vector<float>>(parameters);
            Span<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(gradients);
            var lr = new Vector<float>(learningRate); var wd = new Vector<float>(weightDecay); var s = new Vector<float>(gradientScale);
            for (int j = 0; j < pv.Length; j++)
            {
                var g = gv[j] * s + wd * pv[j];
                gv[j] = Vector<float>.Zero;
                pv[j] -= lr * g;
            }
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < n; i++)
        {
            float g = gradients[i] * gradientScale + weightDecay * parameters[i];
            gradients[i] = 0f;
            parameters[i] -= learningRate * g;
        }
    }

    /// <summary>g′ = s·g + λΘ; v ← μv + g′; Θ ← Θ − αv (Nesterov: Θ ← Θ − α(g′ + μv)); g ← 0.</summary>
    /// <param name="parameters">Θ, updated.</param>
    /// <param name="velocity">v, updated.</param>
    /// <param name="gradients">g, read then cleared.</param>
    /// <param name="learningRate">α.</param>
    /// <param name="momentum">μ.</param>
    /// <param name="nesterov">Nesterov's form.</param>
    /// <param name="weightDecay">λ.</param>
    /// <param name="gradientScale">s.</param>
    public static void Momentum(Span<float> parameters, Span<float> velocity, Span<float> gradients, float learningRate, float momentum,
        bool nesterov, float weightDecay, float gradientScale)
    {
        Check.SameLength(gradients.Length, parameters.Length, nameof(gradients), nameof(parameters));
        Check.SameLength(velocity.Length, parameters.Length, nameof(velocity), nameof(parameters));
        int n = parameters.Length, i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<float>> pv = MemoryMarshal.Cast<float, Vector<float>>(parameters), vv = MemoryMarshal.Cast<float, Vector<float>>(velocity);
            Span<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(gradients);
            var lr = new Vector<float>(learningRate); var mu = new Vector<float>(momentum);
            var wd = new Vector<float>(weightDecay); var s = new Vector<float>(gradientScale);
            for (int j = 0; j < pv.Length; j++)
            {
                var g = gv[j] * s + wd * pv[j];
                gv[j] = Vector<float>.Zero;
                var v = mu * vv[j] + g;
                vv[j] = v;
                pv[j] -= lr * (nesterov ? g + mu * v : v);
            }
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < n; i++)
        {
            float g = gradients[i] * gradientScale + weightDecay * parameters[i];
            gradients[i] = 0f;
            float v = momentum * velocity[i] + g;
            velocity[i] = v;
            parameters[i] -= learningRate * (nesterov ? g + momentum * v : v);
        }
    }

    /// <summary>
    /// Adam with bias correction at step <paramref name="step"/> (1-based), with decoupled weight decay:
    /// m ← β₁m + (1−β₁)g′, v ← β₂v + (1−β₂)g′², Θ ← Θ − α(m̂/(√v̂ + ε) + λΘ), g′ = s·g; g ← 0.
    /// </summary>
    /// <param name="parameters">Θ, updated.</param>
    /// <param name="moment1">m, updated.</param>
    /// <param name="moment2">v, updated.</param>
    /// <param name="gradients">g, read then cleared.</param>
    /// <param name="learningRate">α.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="weightDecay">λ (decoupled).</param>
    /// <param name="step">The step number t ≥ 1, for bias correction.</param>
    /// <param name="gradientScale">s.</param>
    public static void Adam(Span<float> parameters, Span<float> moment1, Span<float> moment2, Span<float> gradients, float learningRate,
        float beta1, float beta2, float epsilon, float weightDecay, long step, float gradientScale)
    {
        Check.SameLength(gradients.Length, parameters.Length, nameof(gradients), nameof(parameters));
        Check.SameLength(moment1.Length, parameters.Length, nameof(moment1), nameof(parameters));
        Check.SameLength(moment2.Length, parameters.Length, nameof(moment2), nameof(parameters));
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Adam's step count starts at 1.");
        float c1 = (float)(1.0 / (1.0 - Math.Pow(beta1, step)));
        float c2 = (float)(1.0 / (1.0 - Math.Pow(beta2, step)));
        float ob1 = 1f - beta1, ob2 = 1f - beta2;
        int n = parameters.Length, i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<float>> pv = MemoryMarshal.Cast<float, Vector<float>>(parameters);
            Span<Vector<float>> mv = MemoryMarshal.Cast<float, Vector<float>>(moment1), vv = MemoryMarshal.Cast<float, Vector<float>>(moment2);
            Span<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(gradients);
            var vb1 = new Vector<float>(beta1); var vb2 = new Vector<float>(beta2); var vob1 = new Vector<float>(ob1); var vob2 = new Vector<float>(ob2);
            var vc1 = new Vector<float>(c1); var vc2 = new Vector<float>(c2); var eps = new Vector<float>(epsilon);
            var lr = new Vector<float>(learningRate); var wd = new Vector<float>(weightDecay); var s = new Vector<float>(gradientScale);
            for (int j = 0; j < pv.Length; j++)
            {
                var g = gv[j] * s;
                gv[j] = Vector<float>.Zero;
                var m = vb1 * mv[j] + vob1 * g;
                var v = vb2 * vv[j] + vob2 * (g * g);
                mv[j] = m;
                vv[j] = v;
                var p = pv[j];
                var update = m * vc1 / (Vector.SquareRoot(v * vc2) + eps) + wd * p;
                pv[j] = p - lr * update;
            }
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < n; i++)
        {
            float g = gradients[i] * gradientScale;
            gradients[i] = 0f;
            float m = beta1 * moment1[i] + ob1 * g;
            float v = beta2 * moment2[i] + ob2 * (g * g);
            moment1[i] = m;
            moment2[i] = v;
            float p = parameters[i];
            float update = m * c1 / (MathF.Sqrt(v * c2) + epsilon) + weightDecay * p;
            parameters[i] = p - learningRate * update;
        }
    }
}
