using System;

namespace Cortex.Learning;

/// <summary>
/// The state-independent log σ of a Gaussian policy's continuous actions with its own Adam step (clipped by its own
/// global norm like the networks, and kept within [−5, 2]). Shared by the PPO learners. Allocates nothing per step.
/// </summary>
internal sealed class LogStdAdam
{
    private const float MinLogStd = -5f, MaxLogStd = 2f;
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly double[] _m, _v;
    private long _steps;

    /// <summary>Creates <paramref name="size"/> values at <paramref name="initial"/>.</summary>
    /// <param name="size">Continuous action dimensions.</param>
    /// <param name="initial">Initial log σ.</param>
    public LogStdAdam(int size, float initial)
    {
        Values = new float[size];
        Values.AsSpan().Fill(initial);
        Gradient = new double[size];
        _m = new double[size];
        _v = new double[size];
    }

    /// <summary>log σ, one per continuous dimension.</summary>
    public float[] Values { get; }

    /// <summary>The accumulated dL/d log σ of the current step.</summary>
    public double[] Gradient { get; }

    /// <summary>Clears <see cref="Gradient"/>.</summary>
    public void ZeroGradient() => Array.Clear(Gradient, 0, Gradient.Length);

    /// <summary>One Adam step with <see cref="Gradient"/> (skipped when it is not finite).</summary>
    /// <param name="rate">Step size.</param>
    /// <param name="maxNorm">Global-norm limit of the gradient; 0 for none.</param>
    public void Step(float rate, float maxNorm)
    {
        int c = Values.Length;
        if (c == 0) return;
        double squares = 0;
        for (int j = 0; j < c; j++) squares += Gradient[j] * Gradient[j];
        if (double.IsNaN(squares) || double.IsInfinity(squares)) return;
        double scale = 1.0, norm = Math.Sqrt(squares);
        if (maxNorm > 0 && norm > maxNorm) scale = maxNorm / norm;
        _steps++;
        double correction1 = 1 - Math.Pow(Beta1, _steps), correction2 = 1 - Math.Pow(Beta2, _steps);
        for (int j = 0; j < c; j++)
        {
            double g = Gradient[j] * scale;
            _m[j] = Beta1 * _m[j] + (1 - Beta1) * g;
            _v[j] = Beta2 * _v[j] + (1 - Beta2) * g * g;
            double step = rate * (_m[j] / correction1) / (Math.Sqrt(_v[j] / correction2) + Epsilon);
            Values[j] = (float)Math.Max(MinLogStd, Math.Min(MaxLogStd, Values[j] - step));
        }
    }
}
