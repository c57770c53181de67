using System;

namespace Cortex.Learning;

/// <summary>
/// An agent with the lifecycle ML-Agents users know, for engines built around per-object components
/// (a MonoBehaviour, a Godot node): the <see cref="AgentGroup"/> it joins asks it for observations,
/// hands it actions, and collects the rewards it is given, once per fixed step — while every agent of
/// the group is answered by one batched brain call.
/// </summary>
/// <remarks>
/// Per fixed step the group calls, in order: <see cref="OnEpisodeBegin"/> (when an episode starts),
/// <see cref="CollectObservations"/>, then <see cref="OnActionReceived"/>. Between steps the game calls
/// <see cref="AddReward"/> and, when the episode is over, <see cref="EndEpisode"/>.
/// </remarks>
public abstract class Agent
{
    internal float PendingReward;
    internal bool EndRequested, TruncateRequested, HasPendingAction, Started;
    internal int Row = -1;

    /// <summary>The group the agent belongs to, or null.</summary>
    public AgentGroup? Group { get; internal set; }

    /// <summary>Decisions taken in the current episode.</summary>
    public int StepCount { get; internal set; }

    /// <summary>Decisions after which an episode is cut (a time limit, not a failure); 0 for none.</summary>
    public int MaxStep { get; set; }

    /// <summary>Reward collected in the current episode.</summary>
    public float CumulativeReward { get; internal set; }

    /// <summary>Reward collected in the last finished episode.</summary>
    public float LastEpisodeReward { get; internal set; }

    /// <summary>Decisions in the last finished episode.</summary>
    public int LastEpisodeLength { get; internal set; }

    /// <summary>Episodes finished.</summary>
    public int CompletedEpisodes { get; internal set; }

    internal float[] EpisodeValues = Array.Empty<float>();

    /// <summary>
    /// Sets custom value <paramref name="index"/> of the current episode (one of the names of the group's
    /// <see cref="AgentGroup.Statistics"/>, by <see cref="EpisodeStatistics.IndexOf"/>); the values are recorded with
    /// the episode's return and length when it ends, then cleared to 0 for the next one.
    /// </summary>
    /// <param name="index">0 ≤ index &lt; the statistics' <see cref="EpisodeStatistics.ValueCount"/>.</param>
    /// <param name="value">The value.</param>
    public void SetEpisodeValue(int index, float value)
    {
        if ((uint)index >= (uint)EpisodeValues.Length) throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be below {EpisodeValues.Length}, the custom values of the group's statistics.");
        EpisodeValues[index] = value;
    }

    /// <summary>Adds to custom value <paramref name="index"/> of the current episode (see <see cref="SetEpisodeValue"/>).</summary>
    /// <param name="index">0 ≤ index &lt; the statistics' <see cref="EpisodeStatistics.ValueCount"/>.</param>
    /// <param name="amount">Added to the value.</param>
    public void AddEpisodeValue(int index, float amount)
    {
        if ((uint)index >= (uint)EpisodeValues.Length) throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be below {EpisodeValues.Length}, the custom values of the group's statistics.");
        EpisodeValues[index] += amount;
    }

    /// <summary>Custom value <paramref name="index"/> of the current episode (in an <see cref="AgentGroup.EpisodeEnded"/> handler: of the episode that ended).</summary>
    /// <param name="index">0 ≤ index &lt; the statistics' <see cref="EpisodeStatistics.ValueCount"/>.</param>
    public float EpisodeValue(int index)
    {
        if ((uint)index >= (uint)EpisodeValues.Length) throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be below {EpisodeValues.Length}, the custom values of the group's statistics.");
        return EpisodeValues[index];
    }

    internal void EnsureEpisodeValues(int count)
    {
        if (EpisodeValues.Length < count) Array.Resize(ref EpisodeValues, count);
    }

    /// <summary>Adds to the reward of the current step.</summary>
    /// <param name="reward">The reward; non-finite rewards are ignored.</param>
    public void AddReward(float reward)
    {
        if (float.IsNaN(reward) || float.IsInfinity(reward)) return;
        PendingReward += reward;
        CumulativeReward += reward;
    }

    /// <summary>Replaces the reward of the current step.</summary>
    /// <param name="reward">The reward; non-finite rewards are ignored.</param>
    public void SetReward(float reward)
    {
        if (float.IsNaN(reward) || float.IsInfinity(reward)) return;
        CumulativeReward += reward - PendingReward;
        PendingReward = reward;
    }

    /// <summary>Ends the episode for real (a terminal state: no value is bootstrapped beyond it). A new one begins at the next step.</summary>
    public void EndEpisode() => EndRequested = true;

    /// <summary>Cuts the episode without it having ended for real (a time limit): learners bootstrap from the last observation.</summary>
    public void InterruptEpisode() => TruncateRequested = true;

    /// <summary>Called when an episode starts: reset the agent's part of the world here.</summary>
    protected internal virtual void OnEpisodeBegin()
    {
    }

    /// <summary>Writes the agent's observation (the group's brain Inputs floats).</summary>
    /// <param name="observation">Where to write.</param>
    protected internal abstract void CollectObservations(Span<float> observation);

    /// <summary>
    /// Receives the decision: for discrete actions <c>action[0]</c> is the action index; for continuous
    /// actions one float per action dimension.
    /// </summary>
    /// <param name="action">The action.</param>
    protected internal abstract void OnActionReceived(ReadOnlySpan<float> action);

    /// <summary>
    /// Decides without a brain (a scripted or human player; also for recording demonstrations and testing
    /// the game without a model), in a <see cref="AgentGroupMode.Heuristic"/> group: write one float per
    /// branch (the action index), then the continuous values. Override it; the default throws.
    /// </summary>
    /// <param name="actionsOut">The action row to write (cleared to 0 before the call).</param>
    protected internal virtual void Heuristic(Span<float> actionsOut) =>
        throw new NotSupportedException($"{GetType().Name} does not override Agent.Heuristic, which a heuristic group needs.");

    /// <summary>
    /// Writes this decision's action mask in a PPO group whose actions have discrete branches: set
    /// <c>masked[BranchOffset(b) + i]</c> to true to forbid action i of branch b (it gets probability exactly 0).
    /// The row arrives cleared (everything allowed); at least one action per branch must stay allowed.
    /// </summary>
    /// <param name="masked">One flag per discrete action of all branches.</param>
    protected internal virtual void WriteActionMask(Span<bool> masked)
    {
    }
}
