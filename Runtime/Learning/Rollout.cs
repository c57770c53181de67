using System;

namespace Cortex.Learning;

/// <summary>
/// What the on-policy learners (A2C, PPO) share about a rollout stored step-major, (steps, agents): recording one
/// step's outcome with time-limit bootstrapping, and GAE(λ) advantages and returns over the collected steps.
/// </summary>
internal static class Rollout
{
    /// <summary>
    /// Writes one step's rewards and episode ends for every agent. A truncated agent's reward is extended by
    /// γ·V(final observation) and its episode is cut there; a non-finite reward is dropped, not learned from.
    /// </summary>
    /// <param name="critic">V(s), evaluated on the final observations when an agent was truncated.</param>
    /// <param name="gamma">γ.</param>
    /// <param name="agents">Agents.</param>
    /// <param name="inputs">Observation width.</param>
    /// <param name="rewards">(agents) rewards.</param>
    /// <param name="terminated">(agents) true where the episode really ended.</param>
    /// <param name="truncated">(agents) true where a time limit cut the episode; empty for none.</param>
    /// <param name="finalObservations">(agents, inputs) last observations of truncated agents; empty when none.</param>
    /// <param name="bootstrap">(agents) scratch for V(final observation).</param>
    /// <param name="rewardsOut">This step's row of rewards.</param>
    /// <param name="donesOut">This step's row of episode ends (1 or 0).</param>
    public static void Record(Brain critic, float gamma, int agents, int inputs, ReadOnlySpan<float> rewards, ReadOnlySpan<bool> terminated,
        ReadOnlySpan<bool> truncated, ReadOnlySpan<float> finalObservations, float[] bootstrap, Span<float> rewardsOut, Span<float> donesOut)
    {
        bool anyTruncated = CheckOutcome(agents, inputs, rewards, terminated, truncated, finalObservations);
        if (anyTruncated) critic.Predict(finalObservations, bootstrap, agents);
        Write(gamma, agents, rewards, terminated, truncated, anyTruncated, bootstrap, rewardsOut, donesOut);
    }

    /// <summary>Validates one step's outcome; returns whether an agent was truncated (so V(final observation) is needed).</summary>
    /// <param name="agents">Agents.</param>
    /// <param name="inputs">Observation width.</param>
    /// <param name="rewards">(agents) rewards.</param>
    /// <param name="terminated">(agents) true where the episode really ended.</param>
    /// <param name="truncated">(agents) true where a time limit cut the episode; empty for none.</param>
    /// <param name="finalObservations">(agents, inputs) last observations of truncated agents; empty when none.</param>
    public static bool CheckOutcome(int agents, int inputs, ReadOnlySpan<float> rewards, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated,
        ReadOnlySpan<float> finalObservations)
    {
        Need(rewards.Length, agents, nameof(rewards));
        Need(terminated.Length, agents, nameof(terminated));
        bool anyTruncated = false;
        if (!truncated.IsEmpty)
        {
            Need(truncated.Length, agents, nameof(truncated));
            foreach (bool t in truncated.Slice(0, agents)) anyTruncated |= t;
        }
        if (anyTruncated) Need(finalObservations.Length, agents * inputs, nameof(finalObservations));
        return anyTruncated;
    }

    /// <summary>
    /// Writes one step's rewards and episode ends (see <see cref="Record"/>), given V(final observation) in
    /// <paramref name="bootstrap"/> where <paramref name="anyTruncated"/>.
    /// </summary>
    /// <param name="gamma">γ.</param>
    /// <param name="agents">Agents.</param>
    /// <param name="rewards">(agents) rewards.</param>
    /// <param name="terminated">(agents) true where the episode really ended.</param>
    /// <param name="truncated">(agents) true where a time limit cut the episode; empty for none.</param>
    /// <param name="anyTruncated">What <see cref="CheckOutcome"/> returned.</param>
    /// <param name="bootstrap">(agents) V(final observation), read for truncated agents.</param>
    /// <param name="rewardsOut">This step's row of rewards.</param>
    /// <param name="donesOut">This step's row of episode ends (1 or 0).</param>
    public static void Write(float gamma, int agents, ReadOnlySpan<float> rewards, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated, bool anyTruncated,
        ReadOnlySpan<float> bootstrap, Span<float> rewardsOut, Span<float> donesOut)
    {
        for (int a = 0; a < agents; a++)
        {
            float r = rewards[a];
            if (float.IsNaN(r) || float.IsInfinity(r)) r = 0f;
            bool cut = anyTruncated && truncated[a] && !terminated[a];
            if (cut) r += gamma * bootstrap[a];
            rewardsOut[a] = r;
            donesOut[a] = terminated[a] || cut ? 1f : 0f;
        }
    }

    /// <summary>GAE(λ) advantages and returns (advantage + value) over <paramref name="steps"/> collected steps.</summary>
    /// <param name="gamma">γ.</param>
    /// <param name="lambda">λ.</param>
    /// <param name="steps">Steps collected.</param>
    /// <param name="agents">Agents.</param>
    /// <param name="rewards">(steps, agents).</param>
    /// <param name="dones">(steps, agents).</param>
    /// <param name="values">(steps, agents) V(s_t).</param>
    /// <param name="bootstrap">(agents) V of the observation after the last step.</param>
    /// <param name="advantages">(steps, agents) output.</param>
    /// <param name="returns">(steps, agents) output.</param>
    public static void Advantages(float gamma, float lambda, int steps, int agents, ReadOnlySpan<float> rewards, ReadOnlySpan<float> dones,
        ReadOnlySpan<float> values, ReadOnlySpan<float> bootstrap, Span<float> advantages, Span<float> returns)
    {
        for (int a = 0; a < agents; a++)
        {
            float nextValue = bootstrap[a], gae = 0f;
            for (int t = steps - 1; t >= 0; t--)
            {
                int i = t * agents + a;
                float notDone = 1f - dones[i];
                float delta = rewards[i] + gamma * nextValue * notDone - values[i];
                gae = delta + gamma * lambda * notDone * gae;
                advantages[i] = gae;
                returns[i] = gae + values[i];
                nextValue = values[i];
            }
        }
    }

    /// <summary>Standardises a minibatch of advantages in place: (A − mean) / (sample std + 1e-8); nothing for fewer than two.</summary>
    /// <param name="advantages">The minibatch's advantages.</param>
    public static void Standardize(Span<float> advantages)
    {
        int n = advantages.Length;
        if (n < 2) return;
        double mean = 0, variance = 0;
        for (int r = 0; r < n; r++) mean += advantages[r];
        mean /= n;
        for (int r = 0; r < n; r++) variance += (advantages[r] - mean) * (advantages[r] - mean);
        double std = Math.Sqrt(variance / (n - 1)) + 1e-8;
        for (int r = 0; r < n; r++) advantages[r] = (float)((advantages[r] - mean) / std);
    }

    /// <summary>Throws when a span is shorter than needed, naming the caller's parameter.</summary>
    /// <param name="length">Its length.</param>
    /// <param name="needed">What is needed.</param>
    /// <param name="name">The caller's parameter name.</param>
    public static void Need(int length, int needed, string name)
    {
        if (length < needed) throw new ArgumentException($"{name} holds {length} values but {needed} are needed.", name);
    }

    /// <summary>Fisher–Yates over the first <paramref name="count"/> entries of <paramref name="order"/>.</summary>
    public static void Shuffle(int[] order, int count, SeededRandom random)
    {
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
