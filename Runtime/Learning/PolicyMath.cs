using System;

namespace Cortex.Learning;

/// <summary>
/// The log-probability and entropy of a policy row (masked categorical branches, then diagonal
/// Gaussians with state-independent log σ) and their derivatives, shared by PPO and behaviour cloning.
/// Forward beside backward; the tests check every derivative against the autodiff engine and finite
/// differences. Allocates nothing.
/// </summary>
internal static class PolicyMath
{
    /// <summary>½·log 2π.</summary>
    internal const double HalfLog2Pi = 0.91893853320467274178;

    /// <summary>
    /// log softmax over the allowed entries: logProbs[j] = z_j − log Σ_{k allowed} e^{z_k}, and −∞ where
    /// masked, so a masked action has probability exactly 0. Returns the entropy −Σ p log p.
    /// </summary>
    // logits (K), masked (K or empty; non-zero = forbidden), logProbs (K)
    internal static double MaskedLogSoftmax(Span<double> logProbs, ReadOnlySpan<float> logits, ReadOnlySpan<byte> masked)
    {
        int k = logits.Length;
        double max = double.NegativeInfinity;
        for (int j = 0; j < k; j++) if (!IsMasked(masked, j) && logits[j] > max) max = logits[j];
        double sum = 0;
        for (int j = 0; j < k; j++) if (!IsMasked(masked, j)) sum += Math.Exp(logits[j] - max);
        double logSum = max + Math.Log(sum), entropy = 0;
        for (int j = 0; j < k; j++)
        {
            if (IsMasked(masked, j)) { logProbs[j] = double.NegativeInfinity; continue; }
            double lp = logits[j] - logSum;
            logProbs[j] = lp;
            entropy -= Math.Exp(lp) * lp;
        }
        return entropy;
    }

    /// <summary>
    /// Backward of <c>c₁·log π(a) + c₂·H</c> for one branch: d/dz_j = c₁(1[j = a] − p_j) − c₂·p_j(log p_j + H),
    /// and 0 for masked entries (they do not take part in the softmax).
    /// </summary>
    // dLogits (K) written, logProbs (K) from MaskedLogSoftmax
    internal static void CategoricalBackward(Span<float> dLogits, ReadOnlySpan<double> logProbs, double entropy, int action, double cLogProb, double cEntropy)
    {
        for (int j = 0; j < logProbs.Length; j++)
        {
            double lp = logProbs[j];
            if (double.IsNegativeInfinity(lp)) { dLogits[j] = 0f; continue; }
            double p = Math.Exp(lp);
            dLogits[j] = (float)(cLogProb * ((j == action ? 1.0 : 0.0) - p) - cEntropy * p * (lp + entropy));
        }
    }

    /// <summary>log N(a; μ, σ²) = −(a − μ)²/(2σ²) − log σ − ½log 2π.</summary>
    internal static double GaussianLogProb(float action, float mean, float logStd)
    {
        double diff = action - mean, variance = Math.Exp(2.0 * logStd);
        return -diff * diff / (2 * variance) - logStd - HalfLog2Pi;
    }

    /// <summary>Entropy of N(μ, σ²): log σ + ½(1 + log 2π).</summary>
    internal static double GaussianEntropy(float logStd) => logStd + 0.5 + HalfLog2Pi;

    /// <summary>
    /// log π(action | row) and the entropy of the whole row (sum over branches and dimensions).
    /// </summary>
    // row (PolicyOutputs), action (ActionSize), masked (DiscreteLogits or empty), logStd (ContinuousSize), scratch (≥ DiscreteLogits)
    internal static double LogProb(ActionSpec spec, ReadOnlySpan<float> row, ReadOnlySpan<float> action, ReadOnlySpan<byte> masked,
        ReadOnlySpan<float> logStd, Span<double> scratch, out double entropy)
    {
        double logProb = 0;
        entropy = 0;
        for (int b = 0; b < spec.BranchCount; b++)
        {
            int offset = spec.BranchOffset(b), size = spec.BranchSize(b);
            Span<double> lp = scratch.Slice(offset, size);
            entropy += MaskedLogSoftmax(lp, row.Slice(offset, size), masked.IsEmpty ? default : masked.Slice(offset, size));
            logProb += lp[(int)action[b]];
        }
        int c0 = spec.DiscreteLogits, a0 = spec.BranchCount;
        for (int c = 0; c < spec.ContinuousSize; c++)
        {
            logProb += GaussianLogProb(action[a0 + c], row[c0 + c], logStd[c]);
            entropy += GaussianEntropy(logStd[c]);
        }
        return logProb;
    }

    /// <summary>
    /// Backward of <c>c₁·log π(action | row) + c₂·H(row)</c>: writes d/d row and adds d/d log σ.
    /// Call after <see cref="LogProb"/> on the same row (it reads the branch log-probabilities left in <paramref name="scratch"/>).
    /// </summary>
    // dRow (PolicyOutputs) written, dLogStd (ContinuousSize) accumulated
    internal static void LogProbBackward(ActionSpec spec, Span<float> dRow, Span<double> dLogStd, ReadOnlySpan<float> row, ReadOnlySpan<float> action,
        ReadOnlySpan<float> logStd, ReadOnlySpan<double> scratch, double cLogProb, double cEntropy)
    {
        for (int b = 0; b < spec.BranchCount; b++)
        {
            int offset = spec.BranchOffset(b), size = spec.BranchSize(b);
            ReadOnlySpan<double> lp = scratch.Slice(offset, size);
            double h = 0;
            for (int j = 0; j < size; j++) if (!double.IsNegativeInfinity(lp[j])) h -= Math.Exp(lp[j]) * lp[j];
            CategoricalBackward(dRow.Slice(offset, size), lp, h, (int)action[b], cLogProb, cEntropy);
        }
        int c0 = spec.DiscreteLogits, a0 = spec.BranchCount;
        for (int c = 0; c < spec.ContinuousSize; c++)
        {
            // log π = −(a − μ)²/(2σ²) − log σ − ½log 2π: d/dμ = (a − μ)/σ², d/d log σ = (a − μ)²/σ² − 1; dH/d log σ = 1.
            double diff = action[a0 + c] - row[c0 + c], variance = Math.Exp(2.0 * logStd[c]);
            dRow[c0 + c] = (float)(cLogProb * diff / variance);
            dLogStd[c] += cLogProb * (diff * diff / variance - 1.0) + cEntropy;
        }
    }

    /// <summary>
    /// Samples an action from a policy row (each branch from its masked softmax, each continuous value from
    /// N(mean, σ²)); writes the stored sample (unclipped) and the action handed out (continuous values clipped to
    /// [−1, 1] when <paramref name="clipContinuous"/>) and returns log π of the stored sample.
    /// </summary>
    // row (PolicyOutputs), masked (DiscreteLogits or empty), logStd (ContinuousSize), scratch (≥ DiscreteLogits), stored and action (ActionSize)
    internal static double Sample(ActionSpec spec, ReadOnlySpan<float> row, ReadOnlySpan<byte> masked, ReadOnlySpan<float> logStd, SeededRandom random,
        bool clipContinuous, Span<double> scratch, Span<float> stored, Span<float> action)
    {
        double logProb = 0;
        for (int b = 0; b < spec.BranchCount; b++)
        {
            int offset = spec.BranchOffset(b), size = spec.BranchSize(b);
            Span<double> lp = scratch.Slice(offset, size);
            MaskedLogSoftmax(lp, row.Slice(offset, size), masked.IsEmpty ? default : masked.Slice(offset, size));
            int choice = SampleCategorical(lp, random.NextDouble());
            logProb += lp[choice];
            stored[b] = choice;
            action[b] = choice;
        }
        int c0 = spec.DiscreteLogits, a0 = spec.BranchCount;
        for (int c = 0; c < spec.ContinuousSize; c++)
        {
            float mean = row[c0 + c], sample = mean + MathF.Exp(logStd[c]) * random.NextGaussian();
            logProb += GaussianLogProb(sample, mean, logStd[c]);
            stored[a0 + c] = sample;
            action[a0 + c] = clipContinuous ? Math.Max(-1f, Math.Min(1f, sample)) : sample;
        }
        return logProb;
    }

    /// <summary>The greedy action of a policy row: the most likely allowed index of each branch, then the means (clipped when asked).</summary>
    // row (PolicyOutputs), masked (DiscreteLogits or empty), action (ActionSize)
    internal static void Greedy(ActionSpec spec, ReadOnlySpan<float> row, ReadOnlySpan<byte> masked, bool clipContinuous, Span<float> action)
    {
        for (int b = 0; b < spec.BranchCount; b++)
        {
            int offset = spec.BranchOffset(b), size = spec.BranchSize(b);
            action[b] = ArgMaxAllowed(row.Slice(offset, size), masked.IsEmpty ? default : masked.Slice(offset, size));
        }
        int c0 = spec.DiscreteLogits, a0 = spec.BranchCount;
        for (int c = 0; c < spec.ContinuousSize; c++)
        {
            float mean = row[c0 + c];
            action[a0 + c] = clipContinuous ? Math.Max(-1f, Math.Min(1f, mean)) : mean;
        }
    }

    /// <summary>Samples an index from log-probabilities (masked entries are −∞ and never drawn), given u uniform in [0, 1).</summary>
    internal static int SampleCategorical(ReadOnlySpan<double> logProbs, double u)
    {
        double acc = 0;
        int last = -1;
        for (int j = 0; j < logProbs.Length; j++)
        {
            if (double.IsNegativeInfinity(logProbs[j])) continue;
            acc += Math.Exp(logProbs[j]);
            last = j;
            if (u < acc) return j;
        }
        return last;
    }

    /// <summary>The most likely allowed index.</summary>
    internal static int ArgMaxAllowed(ReadOnlySpan<float> logits, ReadOnlySpan<byte> masked)
    {
        int best = -1;
        for (int j = 0; j < logits.Length; j++)
        {
            if (IsMasked(masked, j)) continue;
            if (best < 0 || logits[j] > logits[best]) best = j;
        }
        return best;
    }

    /// <summary>Throws when a mask row forbids every action of a branch.</summary>
    internal static void CheckMaskRow(ActionSpec spec, ReadOnlySpan<byte> masked, int agent, string name)
    {
        for (int b = 0; b < spec.BranchCount; b++)
        {
            int offset = spec.BranchOffset(b), size = spec.BranchSize(b), allowed = 0;
            for (int j = 0; j < size; j++) if (masked[offset + j] == 0) allowed++;
            if (allowed == 0) throw new ArgumentException($"The action mask of agent {agent} forbids all {size} actions of branch {b}; at least one must stay allowed.", name);
        }
    }

    private static bool IsMasked(ReadOnlySpan<byte> masked, int j) => !masked.IsEmpty && masked[j] != 0;
}
