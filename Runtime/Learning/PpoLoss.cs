using System;

namespace Cortex.Learning;

/// <summary>Statistics of one PPO policy minibatch.</summary>
internal readonly record struct PpoPolicyStats(double Loss, double Entropy, double ClipFraction, double ApproxKl);

/// <summary>
/// PPO's objectives over a minibatch, forward and hand-written backward side by side (the tests check
/// both against the autodiff engine and finite differences):
/// the clipped surrogate with entropy bonus, L = (1/n)Σ[−min(r·A, clip(r, 1 − ε, 1 + ε)·A) − β·H],
/// r = exp(log π − log π_old); and the (optionally clipped) value loss
/// L_V = c·(1/n)Σ max((V − R)², (V_old + clip(V − V_old, −ε_V, ε_V) − R)²).
/// </summary>
internal static class PpoLoss
{
    /// <summary>Clipped surrogate and entropy bonus: returns the statistics, writes dL/d outputs and adds dL/d log σ.</summary>
    // outputs (n, PolicyOutputs), actions (n, ActionSize), masked (n, DiscreteLogits) or empty, oldLogProbs (n), advantages (n),
    // logStd (ContinuousSize), dOutputs (n, PolicyOutputs) written, dLogStd (ContinuousSize) accumulated, scratch (≥ DiscreteLogits)
    internal static PpoPolicyStats Policy(ActionSpec spec, ReadOnlySpan<float> outputs, ReadOnlySpan<float> actions, ReadOnlySpan<byte> masked,
        ReadOnlySpan<float> oldLogProbs, ReadOnlySpan<float> advantages, ReadOnlySpan<float> logStd, float clipRange, float entropyCoefficient, int n,
        Span<float> dOutputs, Span<double> dLogStd, Span<double> scratch)
    {
        int k = spec.PolicyOutputs, m = spec.ActionSize, d = spec.DiscreteLogits;
        double loss = 0, entropySum = 0, clipped = 0, kl = 0, scale = 1.0 / n;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> row = outputs.Slice(i * k, k), action = actions.Slice(i * m, m);
            ReadOnlySpan<byte> mask = masked.IsEmpty ? default : masked.Slice(i * d, d);
            double logProb = PolicyMath.LogProb(spec, row, action, mask, logStd, scratch, out double entropy);
            double logRatio = logProb - oldLogProbs[i], ratio = Math.Exp(logRatio), a = advantages[i];
            double lo = 1.0 - clipRange, hi = 1.0 + clipRange;
            double unclippedTerm = ratio * a, clippedTerm = Math.Max(lo, Math.Min(hi, ratio)) * a;
            // −min(rA, clip(r)A): the gradient flows through r only where the unclipped term is the smaller one.
            bool throughRatio = unclippedTerm <= clippedTerm;
            loss += -Math.Min(unclippedTerm, clippedTerm) - entropyCoefficient * entropy;
            entropySum += entropy;
            if (ratio < lo || ratio > hi) clipped++;
            kl += (ratio - 1.0) - logRatio;   // the low-variance estimator k3 of KL(old ‖ new)
            double dLogProb = throughRatio ? -unclippedTerm : 0.0;   // d(−rA)/d log π = −rA
            PolicyMath.LogProbBackward(spec, dOutputs.Slice(i * k, k), dLogStd, row, action, logStd, scratch, dLogProb * scale, -entropyCoefficient * scale);
        }
        return new PpoPolicyStats(loss * scale, entropySum * scale, clipped * scale, kl * scale);
    }

    /// <summary>Value loss: returns it and writes dL/dV. <paramref name="clipRange"/> 0 turns the clipping off.</summary>
    // values (n), returns (n), oldValues (n), dValues (n) written
    internal static double Value(ReadOnlySpan<float> values, ReadOnlySpan<float> returns, ReadOnlySpan<float> oldValues, float clipRange, float coefficient,
        int n, Span<float> dValues)
    {
        double loss = 0, scale = coefficient / (double)n;
        for (int i = 0; i < n; i++)
        {
            double v = values[i], r = returns[i], error = v - r;
            if (clipRange > 0f)
            {
                double old = oldValues[i], change = v - old;
                double clippedChange = Math.Max(-clipRange, Math.Min(clipRange, change));
                double clippedError = old + clippedChange - r;
                if (clippedError * clippedError > error * error)
                {
                    loss += clippedError * clippedError;
                    bool inside = change > -clipRange && change < clipRange;   // d clip(V − V_old)/dV
                    dValues[i] = (float)(inside ? 2.0 * clippedError * scale : 0.0);
                    continue;
                }
            }
            loss += error * error;
            dValues[i] = (float)(2.0 * error * scale);
        }
        return loss * scale;
    }
}
