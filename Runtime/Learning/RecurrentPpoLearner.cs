using System;
using Cortex.Layers;

namespace Cortex.Learning;

/// <summary>
/// Proximal policy optimisation with memory: the actor and the critic are <see cref="RecurrentBrain"/>s, so agents
/// that see only part of the state (positions without velocities, an enemy behind a wall) can carry what they
/// inferred from one step to the next. Acting is one <see cref="RecurrentBrain.Think"/> per network for all agents;
/// the learner owns each agent's hidden state rows and clears them at its episode end. The rollout stores, per agent
/// and step, the observation and the state that entered the step; the update cuts each agent's rollout into
/// sequences of <see cref="PpoOptions.SequenceLength"/> steps, replays <see cref="PpoOptions.BurnIn"/> earlier steps
/// from the stored state without gradient (so the state entering a sequence comes from the current weights; the
/// last steps of the previous rollout are kept for it), and runs epochs of shuffled minibatches of whole sequences
/// with the same clipped surrogate, value loss, GAE(λ), schedules and action layouts as <see cref="PpoLearner"/>;
/// the gradient flows back through time within each sequence and never across an episode start.
/// Allocates nothing per step; the same seed gives bitwise-identical learning on the CPU backend.
/// </summary>
/// <remarks>The update runs inside the <see cref="Act"/> that completes a rollout (no deferred updates).</remarks>
public sealed class RecurrentPpoLearner
{
    private readonly PpoOptions _options;
    private readonly SeededRandom _random;
    private readonly int _agents, _inputs, _outputs, _actionSize, _maskSize, _steps, _length, _burnIn, _window, _sequences, _perBatch;
    private readonly int _actorWidth, _criticWidth;
    // Stored per (position, agent), positions 0 … BurnIn − 1 holding the previous rollout's last steps and
    // BurnIn + t holding step t: the observation, the states entering the step, whether an episode started there.
    private readonly float[] _observations, _actorStates, _criticStates;
    private readonly bool[] _starts;
    // Per (step, agent) of the rollout.
    private readonly float[] _actions, _logProbs, _rewards, _dones, _values, _advantages, _returns;
    private readonly byte[] _masks, _greedyMasks;
    // The agents' live state.
    private readonly float[] _actorState, _criticState, _criticProbe;
    private readonly bool[] _newEpisode;
    // Minibatch buffers: sequences time-major (BurnIn + SequenceLength, sequences, …), trained rows (SequenceLength, sequences).
    private readonly float[] _mbInputs, _mbActorState, _mbCriticState, _mbActions, _mbLogProbs, _mbAdvantages, _mbReturns, _mbValues, _dOutputs, _dValues;
    private readonly bool[] _mbStarts;
    private readonly byte[] _mbMasks;
    private readonly float[] _scratchOut, _bootstrap;
    private readonly double[] _scratch;
    private readonly LogStdAdam _logStd;
    private readonly int[] _order;
    private int _t;
    private bool _awaitingRecord;

    /// <summary>Creates a learner for <paramref name="agents"/> agents.</summary>
    /// <param name="actor">Policy network: Inputs = observation size, Outputs = <see cref="ActionSpec.PolicyOutputs"/>, linear last layer;
    /// MaxSequence ≥ BurnIn + SequenceLength, MaxAgents ≥ the sequences per minibatch.</param>
    /// <param name="critic">Value network: same Inputs, one linear output, the same limits.</param>
    /// <param name="actions">The action layout.</param>
    /// <param name="agents">Agents acting each step, at least 1.</param>
    /// <param name="options">Hyper-parameters (defaults when null), <see cref="PpoOptions.SequenceLength"/> and <see cref="PpoOptions.BurnIn"/> included.</param>
    /// <param name="seed">Seed for action sampling and minibatch shuffling.</param>
    public RecurrentPpoLearner(RecurrentBrain actor, RecurrentBrain critic, ActionSpec actions, int agents, PpoOptions? options, ulong seed)
    {
        Actor = actor ?? throw new ArgumentNullException(nameof(actor));
        Critic = critic ?? throw new ArgumentNullException(nameof(critic));
        Spec = actions ?? throw new ArgumentNullException(nameof(actions));
        if (agents < 1) throw new ArgumentOutOfRangeException(nameof(agents), agents, "agents must be at least 1.");
        if (critic.Inputs != actor.Inputs) throw new ArgumentException($"critic takes {critic.Inputs} inputs but the actor takes {actor.Inputs}.", nameof(critic));
        if (critic.Outputs != 1) throw new ArgumentException($"The critic must have one output (the value); it has {critic.Outputs}.", nameof(critic));
        if (actor.Outputs != actions.PolicyOutputs) throw new ArgumentException($"The actor has {actor.Outputs} outputs but {actions} needs {actions.PolicyOutputs}.", nameof(actor));
        RequireLinearOutput(actor, nameof(actor), "The actor");
        RequireLinearOutput(critic, nameof(critic), "The critic");
        _options = options ?? new PpoOptions();
        _options.Validate();
        _steps = _options.RolloutLength;
        _length = _options.SequenceLength;
        _burnIn = _options.BurnIn;
        if (_steps % _length != 0) throw new ArgumentException($"RolloutLength ({_steps}) must be a multiple of SequenceLength ({_length}).", nameof(options));
        if (_burnIn > _steps) throw new ArgumentException($"BurnIn ({_burnIn}) must not exceed RolloutLength ({_steps}).", nameof(options));
        _window = _burnIn + _length;
        _perBatch = Math.Max(1, _options.MinibatchSize / _length);
        foreach ((RecurrentBrain brain, string name) in new[] { (actor, nameof(actor)), (critic, nameof(critic)) })
        {
            if (brain.MaxSteps < _window) throw new ArgumentException($"The {name}'s MaxSteps is {brain.MaxSteps} but BurnIn + SequenceLength = {_window}.", name);
            if (brain.MaxAgents < _perBatch) throw new ArgumentException($"The {name}'s MaxAgents is {brain.MaxAgents} but a minibatch holds {_perBatch} sequences.", name);
        }
        _random = new SeededRandom(seed);
        _agents = agents;
        _inputs = actor.Inputs;
        _outputs = actor.Outputs;
        _actionSize = actions.ActionSize;
        _maskSize = actions.DiscreteLogits;
        _actorWidth = actor.StateWidth;
        _criticWidth = critic.StateWidth;
        _sequences = agents * (_steps / _length);
        int positions = (_burnIn + _steps) * agents, rows = _steps * agents;
        _observations = new float[positions * _inputs];
        _actorStates = new float[positions * _actorWidth];
        _criticStates = new float[positions * _criticWidth];
        _starts = new bool[positions];
        _starts.AsSpan().Fill(true);                                           // before the first rollout: nothing to remember
        _actions = new float[rows * _actionSize];
        _masks = new byte[rows * _maskSize];
        _greedyMasks = new byte[agents * _maskSize];
        _logProbs = new float[rows];
        _rewards = new float[rows];
        _dones = new float[rows];
        _values = new float[rows];
        _advantages = new float[rows];
        _returns = new float[rows];
        _actorState = new float[agents * _actorWidth];
        _criticState = new float[agents * _criticWidth];
        _criticProbe = new float[agents * _criticWidth];
        _newEpisode = new bool[agents];
        _newEpisode.AsSpan().Fill(true);
        int n = _perBatch * _length;
        _mbInputs = new float[_window * _perBatch * _inputs];
        _mbStarts = new bool[_window * _perBatch];
        _mbActorState = new float[_perBatch * _actorWidth];
        _mbCriticState = new float[_perBatch * _criticWidth];
        _mbActions = new float[n * _actionSize];
        _mbMasks = new byte[n * _maskSize];
        _mbLogProbs = new float[n];
        _mbAdvantages = new float[n];
        _mbReturns = new float[n];
        _mbValues = new float[n];
        _dOutputs = new float[n * _outputs];
        _dValues = new float[n];
        _scratchOut = new float[agents * _outputs];
        _bootstrap = new float[agents];
        _scratch = new double[Math.Max(1, _maskSize)];
        _logStd = new LogStdAdam(actions.ContinuousSize, _options.InitialLogStd);
        _order = new int[_sequences];
        CurrentLearningRate = _options.LearningRate;
        CurrentClipRange = _options.ClipRange;
    }

    /// <summary>The policy network.</summary>
    public RecurrentBrain Actor { get; }

    /// <summary>The value network.</summary>
    public RecurrentBrain Critic { get; }

    /// <summary>The action layout.</summary>
    public ActionSpec Spec { get; }

    /// <summary>Agents per step.</summary>
    public int Agents => _agents;

    /// <summary>Floats per action row (<see cref="ActionSpec.ActionSize"/>).</summary>
    public int ActionSize => _actionSize;

    /// <summary>The agents' actor hidden states (Agents, Actor.StateWidth), as the next <see cref="Act"/> reads them.</summary>
    public ReadOnlySpan<float> ActorState => _actorState;

    /// <summary>Updates taken (one per rollout).</summary>
    public long Updates { get; private set; }

    /// <summary>Agent-steps recorded.</summary>
    public long Steps { get; private set; }

    /// <summary>Minibatch steps taken (policy and value step each), by every update.</summary>
    public long MinibatchSteps { get; private set; }

    /// <summary>Mean clipped-surrogate loss (with the entropy bonus) over the last update.</summary>
    public float LastPolicyLoss { get; private set; }

    /// <summary>Mean value loss over the last update.</summary>
    public float LastValueLoss { get; private set; }

    /// <summary>Mean policy entropy (nats per agent) over the last update.</summary>
    public float LastEntropy { get; private set; }

    /// <summary>Estimated KL(old ‖ new) over the last update's final epoch.</summary>
    public float LastApproxKl { get; private set; }

    /// <summary>Share of rows whose probability ratio left [1 − ε, 1 + ε] in the last update.</summary>
    public float LastClipFraction { get; private set; }

    /// <summary>The step size used by the last update (the schedule's current value).</summary>
    public float CurrentLearningRate { get; private set; }

    /// <summary>The clip range used by the last update.</summary>
    public float CurrentClipRange { get; private set; }

    /// <summary>The learned log σ of the continuous actions.</summary>
    public ReadOnlySpan<float> LogStd => _logStd.Values;

    /// <summary>
    /// Chooses actions for every agent with one <see cref="RecurrentBrain.Think"/> of each network (which advances the
    /// agents' hidden states): sampled and stored when <paramref name="explore"/>, the most likely allowed index of each
    /// branch and the mean otherwise. When a rollout is complete the learner first updates, bootstrapping from these
    /// observations.
    /// </summary>
    /// <param name="observations">(Agents, Inputs).</param>
    /// <param name="actions">(Agents, ActionSize): branch indices as floats, then continuous values (clipped to [−1, 1] when asked).</param>
    /// <param name="actionMask">(Agents, DiscreteLogits), true where an action is forbidden this decision; empty for none.</param>
    /// <param name="explore">Sample and store (training), or act greedily (evaluation).</param>
    public void Act(ReadOnlySpan<float> observations, Span<float> actions, ReadOnlySpan<bool> actionMask = default, bool explore = true)
    {
        Rollout.Need(observations.Length, _agents * _inputs, nameof(observations));
        Rollout.Need(actions.Length, _agents * _actionSize, nameof(actions));
        bool masked = !actionMask.IsEmpty && _maskSize > 0;
        if (masked) Rollout.Need(actionMask.Length, _agents * _maskSize, nameof(actionMask));
        if (explore && _awaitingRecord) throw new InvalidOperationException("Call Record with the outcome of the previous Act before acting again.");
        if (explore && _t == _steps) Update(observations);
        int offset = _t * _agents, position = (_burnIn + _t) * _agents;
        if (explore)
        {
            observations.Slice(0, _agents * _inputs).CopyTo(_observations.AsSpan(position * _inputs));
            _actorState.CopyTo(_actorStates.AsSpan(position * _actorWidth));
            _criticState.CopyTo(_criticStates.AsSpan(position * _criticWidth));
            _newEpisode.CopyTo(_starts.AsSpan(position));
            _newEpisode.AsSpan().Clear();
        }
        Span<float> outputs = _scratchOut.AsSpan(0, _agents * _outputs);
        Actor.Think(observations, _actorState, outputs, _agents);
        Critic.Think(observations, _criticState, explore ? _values.AsSpan(offset, _agents) : _bootstrap, _agents);
        Span<byte> maskRows = explore ? _masks.AsSpan(offset * _maskSize, _agents * _maskSize) : _greedyMasks;
        for (int a = 0; a < _agents; a++)
        {
            ReadOnlySpan<float> row = outputs.Slice(a * _outputs, _outputs);
            Span<float> action = actions.Slice(a * _actionSize, _actionSize);
            Span<byte> mask = default;
            if (masked)
            {
                mask = maskRows.Slice(a * _maskSize, _maskSize);
                for (int j = 0; j < _maskSize; j++) mask[j] = actionMask[a * _maskSize + j] ? (byte)1 : (byte)0;
                PolicyMath.CheckMaskRow(Spec, mask, a, nameof(actionMask));
            }
            else if (explore && _maskSize > 0) maskRows.Slice(a * _maskSize, _maskSize).Clear();
            if (explore)
            {
                int index = offset + a;
                _logProbs[index] = (float)PolicyMath.Sample(Spec, row, mask, _logStd.Values, _random, _options.ClipContinuousActions, _scratch,
                    _actions.AsSpan(index * _actionSize, _actionSize), action);
            }
            else PolicyMath.Greedy(Spec, row, mask, _options.ClipContinuousActions, action);
        }
        _awaitingRecord = explore;
    }

    /// <summary>
    /// Records the outcome of the last exploring Act and clears the hidden state of every agent whose episode ended.
    /// For a truncated agent the reward is extended by γ·V(final observation) (the critic thinking on from its
    /// state) and the episode is cut there.
    /// </summary>
    /// <param name="rewards">(Agents) rewards.</param>
    /// <param name="terminated">(Agents) true where the episode really ended.</param>
    /// <param name="truncated">(Agents) true where a time limit cut the episode; empty for none.</param>
    /// <param name="finalObservations">(Agents, Inputs): the last observation of truncated agents (other rows ignored); empty when none.</param>
    public void Record(ReadOnlySpan<float> rewards, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated = default, ReadOnlySpan<float> finalObservations = default)
    {
        if (!_awaitingRecord) throw new InvalidOperationException("Record follows an exploring Act.");
        bool anyTruncated = Rollout.CheckOutcome(_agents, _inputs, rewards, terminated, truncated, finalObservations);
        if (anyTruncated)
        {
            _criticState.CopyTo(_criticProbe, 0);
            Critic.Think(finalObservations, _criticProbe, _bootstrap, _agents);
        }
        int offset = _t * _agents;
        Span<float> dones = _dones.AsSpan(offset, _agents);
        Rollout.Write(_options.Gamma, _agents, rewards, terminated, truncated, anyTruncated, _bootstrap, _rewards.AsSpan(offset, _agents), dones);
        EndEpisodes(terminated, truncated);
        _t++;
        Steps += _agents;
        _awaitingRecord = false;
    }

    /// <summary>
    /// Clears one agent's memory (actor and critic state) so its next <see cref="Act"/> starts an episode. <see cref="Record"/>
    /// does this for every agent whose episode ended; call it where episodes end without a Record (greedy evaluation).
    /// </summary>
    /// <param name="agent">The agent's row.</param>
    public void ResetMemory(int agent)
    {
        if ((uint)agent >= (uint)_agents) throw new ArgumentOutOfRangeException(nameof(agent), agent, $"agent must lie in [0, {_agents}).");
        Actor.ResetState(_actorState, agent);
        Critic.ResetState(_criticState, agent);
        _newEpisode[agent] = true;
    }

    /// <summary>Whether an exploring Act waits for its Record.</summary>
    internal bool AwaitingRecord => _awaitingRecord;

    /// <summary>Clears the memory of every agent whose episode ended (terminated or truncated).</summary>
    private void EndEpisodes(ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated)
    {
        for (int a = 0; a < _agents; a++)
        {
            if (terminated[a] || !truncated.IsEmpty && truncated[a]) ResetMemory(a);
        }
    }

    /// <summary>GAE over the rollout, the epochs of sequence minibatches, then the last steps kept for the next burn-in.</summary>
    private void Update(ReadOnlySpan<float> nextObservations)
    {
        _criticState.CopyTo(_criticProbe, 0);
        Critic.Think(nextObservations, _criticProbe, _bootstrap, _agents);                 // V(s_T), the state left as it is
        Rollout.Advantages(_options.Gamma, _options.Lambda, _steps, _agents, _rewards, _dones, _values, _bootstrap, _advantages, _returns);
        (float rate, float clip) = _options.Schedule(Steps);
        CurrentLearningRate = rate;
        CurrentClipRange = clip;
        Actor.Optimizer = _options.Scheduled(Actor.Optimizer, rate);
        Critic.Optimizer = _options.Scheduled(Critic.Optimizer, rate);
        for (int i = 0; i < _sequences; i++) _order[i] = i;
        double policyLoss = 0, valueLoss = 0, entropy = 0, clipped = 0, kl = 0;
        int batches = 0, epochBatches = 0;
        for (int epoch = 0; epoch < _options.Epochs; epoch++)
        {
            Shuffle();
            kl = 0;
            epochBatches = 0;
            for (int start = 0; start < _sequences; start += _perBatch)
            {
                int count = Math.Min(_perBatch, _sequences - start);
                Gather(start, count);
                PpoPolicyStats stats = PolicyStep(count, clip);
                valueLoss += ValueStep(count);
                policyLoss += stats.Loss;
                entropy += stats.Entropy;
                clipped += stats.ClipFraction;
                kl += stats.ApproxKl;
                batches++;
                epochBatches++;
                MinibatchSteps++;
            }
        }
        LastPolicyLoss = (float)(policyLoss / batches);
        LastValueLoss = (float)(valueLoss / batches);
        LastEntropy = (float)(entropy / batches);
        LastClipFraction = (float)(clipped / batches);
        LastApproxKl = (float)(kl / epochBatches);
        KeepBurnIn();
        _t = 0;
        Updates++;
    }

    /// <summary>Copies the rollout's last BurnIn positions to the front: the next rollout's first sequences burn in from them.</summary>
    private void KeepBurnIn()
    {
        if (_burnIn == 0) return;
        int from = _steps * _agents, count = _burnIn * _agents;
        _observations.AsSpan(from * _inputs, count * _inputs).CopyTo(_observations);
        _actorStates.AsSpan(from * _actorWidth, count * _actorWidth).CopyTo(_actorStates);
        _criticStates.AsSpan(from * _criticWidth, count * _criticWidth).CopyTo(_criticStates);
        _starts.AsSpan(from, count).CopyTo(_starts);
    }

    private void Shuffle() => Rollout.Shuffle(_order, _sequences, _random);

    /// <summary>
    /// Lays out <paramref name="count"/> sequences time-major: sequence q = (agent q mod Agents, chunk q div Agents)
    /// covers positions [chunk·L, chunk·L + BurnIn + L) — its burn-in, then its L trained steps.
    /// </summary>
    private void Gather(int start, int count)
    {
        for (int j = 0; j < count; j++)
        {
            int q = _order[start + j], agent = q % _agents, first = q / _agents * _length;
            int origin = first * _agents + agent;                                          // the position the sequence starts from
            _actorStates.AsSpan(origin * _actorWidth, _actorWidth).CopyTo(_mbActorState.AsSpan(j * _actorWidth));
            _criticStates.AsSpan(origin * _criticWidth, _criticWidth).CopyTo(_mbCriticState.AsSpan(j * _criticWidth));
            for (int tau = 0; tau < _window; tau++)
            {
                int position = (first + tau) * _agents + agent, slot = tau * count + j;
                _observations.AsSpan(position * _inputs, _inputs).CopyTo(_mbInputs.AsSpan(slot * _inputs));
                _mbStarts[slot] = _starts[position];
                if (tau < _burnIn) continue;
                int i = (first + tau - _burnIn) * _agents + agent, r = (tau - _burnIn) * count + j;   // rollout row, trained row
                _actions.AsSpan(i * _actionSize, _actionSize).CopyTo(_mbActions.AsSpan(r * _actionSize));
                if (_maskSize > 0) _masks.AsSpan(i * _maskSize, _maskSize).CopyTo(_mbMasks.AsSpan(r * _maskSize));
                _mbLogProbs[r] = _logProbs[i];
                _mbAdvantages[r] = _advantages[i];
                _mbReturns[r] = _returns[i];
                _mbValues[r] = _values[i];
            }
        }
        if (_options.NormalizeAdvantages) Rollout.Standardize(_mbAdvantages.AsSpan(0, count * _length));
    }

    private PpoPolicyStats PolicyStep(int count, float clip)
    {
        int n = count * _length;
        ReadOnlySpan<float> outputs = Actor.ForwardSequence(_mbInputs.AsSpan(0, _window * count * _inputs), _mbActorState.AsSpan(0, count * _actorWidth),
            _mbStarts.AsSpan(0, _window * count), count, _window, new TruncatedBptt(0, _burnIn));
        _logStd.ZeroGradient();
        PpoPolicyStats stats = PpoLoss.Policy(Spec, outputs, _mbActions, _maskSize > 0 ? _mbMasks.AsSpan(0, n * _maskSize) : default,
            _mbLogProbs, _mbAdvantages, _logStd.Values, clip, _options.EntropyCoefficient, n, _dOutputs, _logStd.Gradient, _scratch);
        if (double.IsNaN(stats.Loss) || double.IsInfinity(stats.Loss)) return stats;   // a non-finite objective takes no step
        Actor.BackwardSequence(_dOutputs.AsSpan(0, n * _outputs));
        Actor.ApplyGradients();
        _logStd.Step(CurrentLearningRate, _options.MaxGradientNorm);
        return stats;
    }

    private double ValueStep(int count)
    {
        int n = count * _length;
        ReadOnlySpan<float> values = Critic.ForwardSequence(_mbInputs.AsSpan(0, _window * count * _inputs), _mbCriticState.AsSpan(0, count * _criticWidth),
            _mbStarts.AsSpan(0, _window * count), count, _window, new TruncatedBptt(0, _burnIn));
        double loss = PpoLoss.Value(values, _mbReturns, _mbValues, _options.ValueClipRange, _options.ValueCoefficient, n, _dValues);
        if (double.IsNaN(loss) || double.IsInfinity(loss)) return loss;
        Critic.BackwardSequence(_dValues.AsSpan(0, n));
        Critic.ApplyGradients();
        return loss;
    }

    private static void RequireLinearOutput(RecurrentBrain brain, string name, string role)
    {
        if (brain.Head[brain.Head.Count - 1].Activation.Kind == ActivationKind.Linear) return;
        throw new ArgumentException($"{role}'s last layer must be linear.", name);
    }
}
