using System;

namespace Cortex.Learning;

/// <summary>
/// Soft actor-critic's objectives (Haarnoja et al. 2018), forward and hand-written backward side by
/// side, checked in the tests against the autodiff engine and finite differences. The policy is a
/// tanh-squashed Gaussian: u = μ + σ·ε, a = tanh(u), with the change-of-variables correction
/// log π(a) = Σ [log N(u; μ, σ) − log(1 − tanh²u)], written in the stable form
/// log(1 − tanh²u) = 2(log 2 − u − softplus(−2u)).
/// </summary>
internal static class SacLoss
{
    private const double Log2 = 0.69314718055994530942;

    /// <summary>Stable log(1 − tanh²u).</summary>
    internal static double LogOneMinusTanhSquared(double u) => 2.0 * (Log2 - u - Softplus(-2.0 * u));

    /// <summary>Stable softplus.</summary>
    internal static double Softplus(double x) => Math.Max(x, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(x)));

    /// <summary>
    /// Reparameterised sample of one row: writes a = tanh(μ + σε) and returns log π(a). log σ is the
    /// network's raw output clamped to [<paramref name="minLogStd"/>, <paramref name="maxLogStd"/>].
    /// </summary>
    // row (2A): means then raw log σ; noise (A); action (A) written
    internal static double Sample(ReadOnlySpan<float> row, ReadOnlySpan<float> noise, Span<float> action, float minLogStd, float maxLogStd)
    {
        int a = action.Length;
        double logProb = 0;
        for (int j = 0; j < a; j++)
        {
            double logStd = Math.Max(minLogStd, Math.Min(maxLogStd, row[a + j])), e = noise[j];
            double u = row[j] + Math.Exp(logStd) * e;
            action[j] = (float)Math.Tanh(u);
            logProb += -0.5 * e * e - logStd - PolicyMath.HalfLog2Pi - LogOneMinusTanhSquared(u);
        }
        return logProb;
    }

    /// <summary>
    /// The actor's loss (1/n)Σ[α·log π(a|s) − Q(s, a)] with a = tanh(μ + σε): returns the mean log π
    /// and writes dL/d row given dQ/da (from the critic's input gradient). Through u, d log π/du = 2·tanh u
    /// (the correction; the Gaussian term is constant in ε), da/du = 1 − a², du/dμ = 1, du/d log σ = σε;
    /// log π also depends on log σ directly (−1). Clamped log σ gets no gradient.
    /// </summary>
    // outputs (n, 2A), noise (n, A), dQdAction (n, A), dOutputs (n, 2A) written
    internal static double Actor(ReadOnlySpan<float> outputs, ReadOnlySpan<float> noise, ReadOnlySpan<float> dQdAction, float alpha, float minLogStd,
        float maxLogStd, int n, int actionSize, Span<float> dOutputs, out double meanLogProb)
    {
        int a = actionSize;
        double scale = 1.0 / n, loss = 0, logProbs = 0;
        for (int i = 0; i < n; i++)
        {
            double logProb = 0;
            for (int j = 0; j < a; j++)
            {
                float raw = outputs[i * 2 * a + a + j];
                bool clamped = raw < minLogStd || raw > maxLogStd;
                double logStd = Math.Max(minLogStd, Math.Min(maxLogStd, raw)), sigma = Math.Exp(logStd), e = noise[i * a + j];
                double u = outputs[i * 2 * a + j] + sigma * e, t = Math.Tanh(u);
                logProb += -0.5 * e * e - logStd - PolicyMath.HalfLog2Pi - LogOneMinusTanhSquared(u);
                double dLdU = alpha * 2.0 * t - dQdAction[i * a + j] * (1.0 - t * t);   // d(α log π − Q)/du
                dOutputs[i * 2 * a + j] = (float)(dLdU * scale);
                dOutputs[i * 2 * a + a + j] = clamped ? 0f : (float)((dLdU * sigma * e - alpha) * scale);
            }
            logProbs += logProb;
            loss += alpha * logProb;
        }
        meanLogProb = logProbs * scale;
        return loss * scale;   // the −Q part is added by the caller, who knows Q
    }

    /// <summary>Critic loss ½·mean((Q − y)²); returns it and writes dL/dQ = (Q − y)/n.</summary>
    // q (n), targets (n), dQ (n) written
    internal static double Critic(ReadOnlySpan<float> q, ReadOnlySpan<float> targets, int n, Span<float> dQ)
    {
        double loss = 0, scale = 1.0 / n;
        for (int i = 0; i < n; i++)
        {
            double error = q[i] - targets[i];
            loss += 0.5 * error * error;
            dQ[i] = (float)(error * scale);
        }
        return loss * scale;
    }

    /// <summary>
    /// Temperature loss −log α·(mean log π + H̄) (log π treated as a constant, as in SAC's automatic
    /// entropy tuning): returns it and its derivative with respect to log α.
    /// </summary>
    internal static double Temperature(double logAlpha, double meanLogProb, double targetEntropy, out double dLogAlpha)
    {
        dLogAlpha = -(meanLogProb + targetEntropy);
        return -logAlpha * (meanLogProb + targetEntropy);
    }
}
